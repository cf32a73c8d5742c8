import type { LightMyRequestResponse as Response } from "fastify";
import { expect } from "vitest";
import { lengthPrefixedCount } from "./bytes.js";
import { expectedOutputs, MODEL, type ValidSpec } from "./digits.js";

type AnsweredOutput = { name: string; datatype: string; shape: number[]; binary: boolean; elements: number };

const FIXED_BYTES: Readonly<Record<string, number>> = { INT64: 8, FP32: 4 };

/** Elements in one output's binary data: fixed-size types by size, BYTES by walking its length prefixes. */
function binaryElements(datatype: string, bytes: Buffer): number {
  const size = FIXED_BYTES[datatype];
  return size === undefined ? lengthPrefixedCount(bytes) : bytes.length / size;
}

/**
 * The outputs of a 200 from the V2 infer route, whether JSON or the binary tensor data
 * extension's (JSON header, then each binary output's bytes in order, all of them accounted for).
 */
export function v2Outputs(res: Response): {
  model: string;
  version: string;
  id: unknown;
  outputs: AnsweredOutput[];
} {
  const binary = String(res.headers["content-type"]).startsWith("application/octet-stream");
  const payload = res.rawPayload;
  const headerLength = binary ? Number(res.headers["inference-header-content-length"]) : payload.length;
  expect(Number.isSafeInteger(headerLength) && headerLength <= payload.length).toBe(true);
  const header = JSON.parse(payload.toString("utf8", 0, headerLength));
  let at = headerLength;
  const outputs = (header.outputs as Record<string, unknown>[]).map((o): AnsweredOutput => {
    const { name, datatype, shape } = o as { name: string; datatype: string; shape: number[] };
    const size = (o.parameters as { binary_data_size?: number } | undefined)?.binary_data_size;
    if (size === undefined)
      return { name, datatype, shape, binary: false, elements: (o.data as unknown[]).length };
    const bytes = payload.subarray(at, at + size);
    at += size;
    return { name, datatype, shape, binary: true, elements: binaryElements(datatype, bytes) };
  });
  expect(at, "binary outputs' sizes add up to the bytes after the header").toBe(payload.length);
  return { model: header.model_name, version: header.model_version, id: header.id, outputs };
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A 200 for any request: well formed, each output's data as many elements as its shape says. */
export function expectWellFormedV2(res: Response): void {
  const answer = v2Outputs(res);
  expect(answer.model).toBe(MODEL);
  for (const o of answer.outputs) expect(o.elements, `output ${o.name}`).toBe(count(o.shape));
}

/** A valid request's answer: 200, the outputs it asked for in its order, of the right shapes. */
export function expectValidV2(res: Response, spec: ValidSpec): void {
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  const answer = v2Outputs(res);
  expect(answer.model).toBe(MODEL);
  if (spec.version !== undefined) expect(answer.version).toBe(String(spec.version));
  expect(answer.id).toBe(spec.id);
  const got = answer.outputs.map(({ name, datatype, shape, binary }) => ({ name, datatype, shape, binary }));
  expect(got).toEqual(expectedOutputs(spec));
  for (const o of answer.outputs) expect(o.elements, `output ${o.name}`).toBe(count(o.shape));
}
