import { z } from "zod";
import type {
  BinaryOutputs,
  DecodeTarget,
  InferenceRequest,
  InferenceResult,
} from "../contract/inference.js";
import type { HostTensor } from "../contract/tensor.js";
import { Errors } from "../errors.js";
import { isDatatype } from "../runtime/datatypes.js";
import { tensorBytes, valuesFromBytes } from "./binary-tensor.js";
import { modelHead, outputHead } from "./response-heads.js";
import { tensorDataJson, toTensorValues } from "./tensor-data.js";
import { checkTensorHeader } from "./tensor-header.js";

// `data` is checked element by element while it is copied (tensor-data.ts), not here.
const data = z.custom<unknown[]>((v) => Array.isArray(v), "must be an array");

// Known parameters are typed; unknown ones are ignored, not rejected.
const requestParameters = z.looseObject({
  timeout_ms: z.number().int().min(1).max(600_000).optional(),
  binary_data_output: z.boolean().optional(),
});
const inputParameters = z.looseObject({ binary_data_size: z.number().int().min(0).optional() });
const outputParameters = z.looseObject({
  binary_data: z.boolean().optional(),
  classification: z.number().int().min(1).optional(),
});

export const requestSchema = z.object({
  id: z.string().optional(),
  parameters: requestParameters.optional(),
  inputs: z
    .array(
      z.object({
        name: z.string().min(1),
        shape: z.array(z.number().int().min(0)),
        datatype: z.string(),
        parameters: inputParameters.optional(),
        // Absent when the data is binary (parameters.binary_data_size).
        data: data.optional(),
      }),
    )
    .min(1),
  outputs: z.array(z.object({ name: z.string().min(1), parameters: outputParameters.optional() })).optional(),
});

export function isBinaryOutput(binary: BinaryOutputs, name: string): boolean {
  return binary.byName.get(name) ?? binary.all;
}

/** Turns a zod failure into one message that names the field (e.g. `inputs[0].shape`). */
export function describeIssues(error: z.ZodError, root = ""): string {
  return error.issues
    .slice(0, 3)
    .map((i) => {
      const path = i.path.reduce<string>(
        (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
        root,
      );
      return `${path || "body"}: ${i.message}`;
    })
    .join("; ");
}

type Envelope = z.infer<typeof requestSchema>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The common request (no parameters anywhere, every field well-formed) checked by hand: zod's
 * generic walk was ~3 % of the server's CPU per request. Returns undefined for anything else, and
 * the schema then decides (and words the error), so both paths accept exactly the same bodies.
 */
export function plainEnvelope(body: unknown): Envelope | undefined {
  if (!isObject(body) || body.parameters !== undefined) return undefined;
  const { id, inputs, outputs } = body;
  if (id !== undefined && typeof id !== "string") return undefined;
  if (!Array.isArray(inputs) || inputs.length === 0) return undefined;
  for (const t of inputs) {
    if (!isObject(t) || t.parameters !== undefined || !Array.isArray(t.data)) return undefined;
    if (typeof t.name !== "string" || t.name === "" || typeof t.datatype !== "string") return undefined;
    if (!Array.isArray(t.shape)) return undefined;
    for (const d of t.shape) if (!Number.isSafeInteger(d) || (d as number) < 0) return undefined;
  }
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) return undefined;
    for (const o of outputs)
      if (!isObject(o) || o.parameters !== undefined || typeof o.name !== "string" || o.name === "")
        return undefined;
  }
  return body as Envelope;
}

const NO_FLAGS: ReadonlyMap<string, boolean> = new Map();

function binaryOutputsOf(req: Envelope): BinaryOutputs | undefined {
  const all = req.parameters?.binary_data_output === true;
  let byName: Map<string, boolean> | undefined;
  if (req.outputs) {
    for (const o of req.outputs) {
      const flag = o.parameters?.binary_data;
      if (flag === undefined) continue;
      byName ??= new Map();
      byName.set(o.name, flag);
    }
  }
  if (!all && !(byName && [...byName.values()].includes(true))) return undefined;
  return { all, byName: byName ?? NO_FLAGS };
}

function classificationOf(req: Envelope): Map<string, number> | undefined {
  let byName: Map<string, number> | undefined;
  for (const o of req.outputs ?? []) {
    const k = o.parameters?.classification;
    if (k === undefined) continue;
    byName ??= new Map();
    byName.set(o.name, k);
  }
  return byName;
}

/**
 * Decodes a parsed V2 request for the model version `target` describes: each input's header is
 * checked against the model before anything is allocated for it (tensor-header.ts). `binary` is
 * what followed the JSON header in a request of the binary tensor data extension
 * (binary-tensor.ts): the inputs with `binary_data_size` take their bytes from it in order, and
 * every byte must belong to one. Those bytes must be this request's own, never written again: an
 * input whose bytes are aligned for its datatype keeps a view of them as its store.
 */
export function decodeInferRequest(
  body: unknown,
  target: DecodeTarget,
  binary?: Uint8Array,
): InferenceRequest {
  let req = plainEnvelope(body);
  // A plain body has no parameters anywhere, so nothing binary: the common case skips the lookups.
  const plain = req !== undefined;
  if (!req) {
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success) throw Errors.invalidRequest(describeIssues(parsed.error));
    req = parsed.data;
  }
  let offset = 0;
  const inputs = req.inputs.map((input, i): HostTensor => {
    const { name, datatype, shape } = input;
    if (!isDatatype(datatype)) {
      throw Errors.invalidRequest(`inputs[${i}].datatype: unsupported datatype "${datatype}"`);
    }
    checkTensorHeader(target, name, datatype, shape);
    const size = input.parameters?.binary_data_size;
    if (size === undefined) {
      if (input.data === undefined) {
        throw Errors.invalidRequest(`inputs[${i}].data: required (or parameters.binary_data_size)`);
      }
      return { name, datatype, shape, values: toTensorValues(name, datatype, shape, input.data) };
    }
    const where = `inputs[${i}].parameters.binary_data_size`;
    if (input.data !== undefined)
      throw Errors.invalidRequest(`${where}: an input has data or binary data, not both`);
    if (binary === undefined) {
      throw Errors.invalidRequest(`${where}: binary data needs the Inference-Header-Content-Length header`);
    }
    if (offset + size > binary.length) {
      throw Errors.invalidRequest(
        `${where}: ${size} bytes from byte ${offset} run past the ${binary.length} bytes after the JSON header`,
      );
    }
    const values = valuesFromBytes(name, datatype, shape, binary.subarray(offset, offset + size), true);
    offset += size;
    return { name, datatype, shape, values };
  });
  if (binary !== undefined && offset !== binary.length) {
    throw Errors.invalidRequest(
      `${binary.length - offset} of the ${binary.length} bytes after the JSON header belong to no input (binary_data_size)`,
    );
  }
  return {
    id: req.id,
    timeoutMs: req.parameters?.timeout_ms,
    inputs,
    outputs: req.outputs?.map((o) => o.name),
    binaryOutputs: plain ? undefined : binaryOutputsOf(req),
    classification: plain ? undefined : classificationOf(req),
  };
}

/**
 * The V2 response as JSON text, written directly (tensorDataJson) instead of building the
 * response object and serialising it: byte for byte what JSON.stringify of that object gives
 * (the codec test checks it against that reference for random results).
 */
export function encodeInferResponse(result: InferenceResult): string {
  return responseJson(result, undefined);
}

/** Outputs with a size in `binarySizes` carry `parameters.binary_data_size` instead of `data`. */
function responseJson(
  result: InferenceResult,
  binarySizes: readonly (number | undefined)[] | undefined,
): string {
  const { id, outputs } = result;
  let text = `${modelHead(result.model)}${result.version}"`;
  if (id !== undefined) text += `,"id":${JSON.stringify(id)}`;
  text += ',"outputs":[';
  for (let i = 0; i < outputs.length; i++) {
    const t = outputs[i] as HostTensor;
    const size = binarySizes?.[i];
    const payload =
      size === undefined
        ? `"data":${tensorDataJson(t.datatype, t.values)}`
        : `"parameters":{"binary_data_size":${size}}`;
    text += `${i === 0 ? "" : ","}${outputHead(t.name, t.datatype)}${t.shape.join(",")}],${payload}}`;
  }
  return `${text}]}`;
}

/**
 * The response of the binary tensor data extension: the JSON header, then the binary outputs'
 * bytes in output order. `headerLength` is the header's size in bytes, for the
 * Inference-Header-Content-Length header. Undefined when none of the outputs is binary.
 */
export function encodeBinaryInferResponse(
  result: InferenceResult,
  binary: BinaryOutputs,
): { headerLength: number; body: Buffer } | undefined {
  const blobs = result.outputs.map((t) =>
    isBinaryOutput(binary, t.name) ? tensorBytes(t.datatype, t.values) : undefined,
  );
  if (blobs.every((b) => b === undefined)) return undefined;
  const header = Buffer.from(
    responseJson(
      result,
      blobs.map((b) => b?.byteLength),
    ),
    "utf8",
  );
  const parts = [header, ...blobs.filter((b): b is Uint8Array => b !== undefined)];
  return { headerLength: header.length, body: Buffer.concat(parts) };
}
