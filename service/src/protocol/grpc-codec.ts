import type { DecodeTarget, InferenceRequest, InferenceResult } from "../contract/inference.js";
import type { Datatype, HostTensor } from "../contract/tensor.js";
import { Errors } from "../errors.js";
import { isDatatype } from "../runtime/datatypes.js";
import { tensorBytes, valuesFromBytes } from "./binary-tensor.js";
import { toTensorValues } from "./tensor-data.js";
import { checkTensorHeader } from "./tensor-header.js";

/**
 * The Open Inference Protocol's gRPC messages (service/proto/open_inference_grpc.proto) ⇄ the
 * server's own request and result. Messages arrive as @grpc/proto-loader makes them (keepCase,
 * 64-bit integers as decimal strings, bytes as Buffers, defaults filled in).
 */

type Parameter = {
  bool_param?: boolean;
  int64_param?: string;
  string_param?: string;
  double_param?: number;
  uint64_param?: string;
};

type Contents = {
  bool_contents: boolean[];
  int_contents: number[];
  int64_contents: string[];
  uint_contents: number[];
  uint64_contents: string[];
  fp32_contents: number[];
  fp64_contents: number[];
  bytes_contents: Buffer[];
};

export type GrpcInferRequest = {
  model_name: string;
  model_version: string;
  id: string;
  parameters: Record<string, Parameter>;
  inputs: {
    name: string;
    datatype: string;
    shape: string[];
    parameters: Record<string, Parameter>;
    contents: Contents | null;
  }[];
  outputs: { name: string; parameters: Record<string, Parameter> }[];
  raw_input_contents: Buffer[];
};

export type GrpcInferResponse = {
  model_name: string;
  model_version: string;
  id: string;
  outputs: { name: string; datatype: string; shape: number[] }[];
  raw_output_contents: Uint8Array[];
};

/** Which `contents` field carries each datatype (the protocol's table; FP16 has none: raw only). */
const CONTENTS_FIELD: Readonly<Record<Exclude<Datatype, "FP16">, keyof Contents>> = Object.freeze({
  BOOL: "bool_contents",
  INT8: "int_contents",
  INT16: "int_contents",
  INT32: "int_contents",
  INT64: "int64_contents",
  UINT8: "uint_contents",
  UINT16: "uint_contents",
  UINT32: "uint_contents",
  UINT64: "uint64_contents",
  FP32: "fp32_contents",
  FP64: "fp64_contents",
  BYTES: "bytes_contents",
});

const utf8 = new TextDecoder("utf-8", { fatal: true });

function shapeOf(dims: readonly string[], where: string): number[] {
  return dims.map((d, k) => {
    const n = Number(d);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw Errors.invalidRequest(`${where}.shape[${k}]: must be a non-negative integer, got ${d}`);
    }
    return n;
  });
}

/** The typed `contents` as the JSON codec's element list (it checks types, ranges and count). */
function contentsValues(name: string, datatype: Datatype, contents: Contents): unknown[] {
  if (datatype === "FP16") {
    throw Errors.invalidRequest(
      `input "${name}": FP16 has no typed contents in the protocol; send it in raw_input_contents`,
    );
  }
  const values = contents[CONTENTS_FIELD[datatype]] as unknown[];
  if (datatype !== "BYTES") return values;
  return (values as Buffer[]).map((b, i) => {
    try {
      return utf8.decode(b);
    } catch {
      throw Errors.invalidRequest(`input "${name}": bytes_contents[${i}] is not UTF-8 text`);
    }
  });
}

function timeoutParameter(parameters: Record<string, Parameter>): number | undefined {
  const p = parameters.timeout_ms;
  if (p === undefined) return undefined;
  const n = Number(p.int64_param ?? p.double_param ?? Number.NaN);
  if (!Number.isInteger(n) || n < 1 || n > 600_000) {
    throw Errors.invalidRequest("parameters.timeout_ms: must be an integer from 1 to 600000");
  }
  return n;
}

export function decodeGrpcInferRequest(req: GrpcInferRequest, target: DecodeTarget): InferenceRequest {
  if (req.inputs.length === 0) throw Errors.invalidRequest("inputs: at least one input is required");
  const raw = req.raw_input_contents;
  // The protocol's rule: raw contents are all-or-nothing, one entry per input.
  if (raw.length > 0 && raw.length !== req.inputs.length) {
    throw Errors.invalidRequest(
      `raw_input_contents has ${raw.length} entries for ${req.inputs.length} inputs (one per input, or none)`,
    );
  }
  const inputs = req.inputs.map((input, i): HostTensor => {
    const where = `inputs[${i}]`;
    const { name, datatype } = input;
    if (name === "") throw Errors.invalidRequest(`${where}.name: required`);
    if (!isDatatype(datatype))
      throw Errors.invalidRequest(`${where}.datatype: unsupported datatype "${datatype}"`);
    const shape = shapeOf(input.shape, where);
    checkTensorHeader(target, name, datatype, shape);
    if (raw.length > 0) {
      if (input.contents) throw Errors.invalidRequest(`${where}: contents and raw_input_contents both set`);
      return { name, datatype, shape, values: valuesFromBytes(name, datatype, shape, raw[i] as Buffer) };
    }
    if (!input.contents) throw Errors.invalidRequest(`${where}.contents: required (or raw_input_contents)`);
    const data = contentsValues(name, datatype, input.contents);
    return { name, datatype, shape, values: toTensorValues(name, datatype, shape, data, "contents") };
  });
  return {
    id: req.id === "" ? undefined : req.id,
    timeoutMs: timeoutParameter(req.parameters),
    inputs,
    outputs: req.outputs.length > 0 ? req.outputs.map((o) => o.name) : undefined,
    classification: classificationOf(req.outputs),
  };
}

/** `classification` (int64) on requested outputs: the classification extension, by output name. */
function classificationOf(outputs: GrpcInferRequest["outputs"]): Map<string, number> | undefined {
  let byName: Map<string, number> | undefined;
  for (const [i, o] of outputs.entries()) {
    const p = o.parameters.classification;
    if (p === undefined) continue;
    const k = Number(p.int64_param ?? p.uint64_param ?? Number.NaN);
    if (!Number.isSafeInteger(k) || k < 1) {
      throw Errors.invalidRequest(`outputs[${i}].parameters.classification: must be an integer ≥ 1`);
    }
    byName ??= new Map();
    byName.set(o.name, k);
  }
  return byName;
}

/** Outputs as raw contents, like Triton: no per-element conversion, and every client reads them. */
export function encodeGrpcInferResponse(result: InferenceResult): GrpcInferResponse {
  return {
    model_name: result.model,
    model_version: String(result.version),
    id: result.id ?? "",
    outputs: result.outputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
    raw_output_contents: result.outputs.map((t) => tensorBytes(t.datatype, t.values)),
  };
}
