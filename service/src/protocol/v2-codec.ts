import { z } from "zod";
import { Errors } from "../errors.js";
import { isDatatype } from "../runtime/datatypes.js";
import type { HostTensor } from "../runtime/onnx-model.js";
import { tensorDataJson, toTensorValues } from "./tensor-data.js";

const parameters = z.record(z.string(), z.unknown());
// `data` is checked element by element while it is copied (tensor-data.ts), not here.
const data = z.custom<unknown[]>((v) => Array.isArray(v), "must be an array");

const requestParameters = z.looseObject({ timeout_ms: z.number().int().min(1).max(600_000).optional() });

export const requestSchema = z.object({
  id: z.string().optional(),
  parameters: requestParameters.optional(),
  inputs: z
    .array(
      z.object({
        name: z.string().min(1),
        shape: z.array(z.number().int().min(0)),
        datatype: z.string(),
        parameters: parameters.optional(),
        data,
      }),
    )
    .min(1),
  outputs: z.array(z.object({ name: z.string().min(1), parameters: parameters.optional() })).optional(),
});

/** A V2 inference request after decoding: protocol-neutral, ready for the data plane. */
export type InferenceRequest = {
  id: string | undefined;
  /** From `parameters.timeout_ms`: drop the request (504) if it has not started by then. */
  timeoutMs?: number | undefined;
  inputs: HostTensor[];
  outputs: string[] | undefined;
};

export type InferenceResult = {
  model: string;
  version: number;
  id: string | undefined;
  outputs: HostTensor[];
};

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

export function decodeInferRequest(body: unknown): InferenceRequest {
  let req = plainEnvelope(body);
  if (!req) {
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success) throw Errors.invalidRequest(describeIssues(parsed.error));
    req = parsed.data;
  }
  const inputs = req.inputs.map((input, i): HostTensor => {
    if (!isDatatype(input.datatype)) {
      throw Errors.invalidRequest(`inputs[${i}].datatype: unsupported datatype "${input.datatype}"`);
    }
    return {
      name: input.name,
      datatype: input.datatype,
      shape: input.shape,
      values: toTensorValues(input.name, input.datatype, input.shape, input.data),
    };
  });
  return {
    id: req.id,
    timeoutMs: req.parameters?.timeout_ms,
    inputs,
    outputs: req.outputs?.map((o) => o.name),
  };
}

/**
 * The V2 response as JSON text, written directly (tensorDataJson) instead of building the
 * response object and serialising it: byte for byte what JSON.stringify of that object gives
 * (the codec test checks it against that reference for random results).
 */
export function encodeInferResponse(result: InferenceResult): string {
  const { id, outputs } = result;
  let text = `{"model_name":${JSON.stringify(result.model)},"model_version":"${result.version}"`;
  if (id !== undefined) text += `,"id":${JSON.stringify(id)}`;
  text += ',"outputs":[';
  for (let i = 0; i < outputs.length; i++) {
    const t = outputs[i] as HostTensor;
    text += `${i === 0 ? "" : ","}{"name":${JSON.stringify(t.name)},"datatype":"${t.datatype}","shape":[${t.shape.join(",")}],"data":${tensorDataJson(t.datatype, t.values)}}`;
  }
  return `${text}]}`;
}
