import { z } from "zod";
import type {
  ClassifierView,
  DecodeTarget,
  InferenceRequest,
  InferenceResult,
} from "../contract/inference.js";
import type { HostTensor } from "../contract/tensor.js";
import { Errors } from "../errors.js";
import { fromTensorValues, toTensorValues } from "./tensor-data.js";
import { checkTensorHeader } from "./tensor-header.js";
import { describeIssues } from "./v2-codec.js";

const requestSchema = z.object({
  instances: z.array(z.unknown()).min(1),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The simple predict API for product services (`{"instances": [...]}` → `{"predictions": [...]}`,
 * as in TF Serving and KServe V1). It needs a model with exactly one input; each instance is one
 * row of it, flat or nested.
 */
export function decodePredictRequest(body: unknown, target: DecodeTarget): InferenceRequest {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) throw Errors.invalidRequest(describeIssues(parsed.error));
  const specs = [...target.inputs.values()];
  const spec = specs[0];
  if (specs.length !== 1 || !spec) {
    throw Errors.invalidRequest(
      `model "${target.model}" has ${specs.length} inputs; use the V2 infer API for multi-input models`,
    );
  }
  const instances = parsed.data.instances;
  const rowShape = spec.shape.slice(1);
  if (rowShape.some((d) => d < 0)) {
    throw Errors.invalidRequest(`model "${target.model}" has dynamic non-batch dims; use the V2 infer API`);
  }
  const shape = [instances.length, ...rowShape];
  checkTensorHeader(target, spec.name, spec.datatype, shape);
  const tensor: HostTensor = {
    name: spec.name,
    datatype: spec.datatype,
    shape,
    values: toTensorValues(spec.name, spec.datatype, shape, instances, "instances"),
  };
  return { id: undefined, inputs: [tensor], outputs: undefined };
}

/** One prediction per batch row, nested to the row's shape as TF Serving does (rank 3+ too). */
function rows(t: HostTensor): unknown[] {
  const flat = fromTensorValues(t.datatype, t.values);
  if (t.shape.length <= 1) return flat;
  const n = t.shape[0] ?? 0;
  const rowDims = t.shape.slice(1);
  const width = n === 0 ? 0 : flat.length / n;
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = rowDims.length === 1 ? flat.slice(i * width, (i + 1) * width) : nest(flat, i * width, rowDims);
  }
  return out;
}

/** The row-major block of `flat` starting at `offset` as nested arrays of shape `dims`. */
function nest(flat: unknown[], offset: number, dims: readonly number[]): unknown[] {
  const [size = 0, ...inner] = dims;
  if (inner.length === 0) return flat.slice(offset, offset + size);
  const stride = inner.reduce((a, b) => a * b, 1);
  return Array.from({ length: size }, (_, j) => nest(flat, offset + j * stride, inner));
}

/**
 * Classifiers (labels in the manifest) get `{label, score, probabilities: {label: p}}` per row;
 * other models get the row of their single output, or an object of all outputs' rows.
 */
export function encodePredictResponse(result: InferenceResult, classifier: ClassifierView | undefined) {
  const byName = new Map(result.outputs.map((t) => [t.name, t]));
  const cls = classifier;
  const probsTensor = cls && byName.get(cls.probabilities);
  if (cls && probsTensor) {
    const probs = probsTensor.values as Float32Array;
    const k = cls.labels.length;
    const n = probs.length / k;
    const labelValues = cls.labelOutput
      ? (byName.get(cls.labelOutput)?.values as BigInt64Array | undefined)
      : undefined;
    const predictions = new Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      const probabilities: Record<string, number> = {};
      for (let j = 0; j < k; j++) {
        const p = probs[i * k + j] as number;
        probabilities[cls.labels[j] as string] = p;
        if (p > (probs[i * k + best] as number)) best = j;
      }
      // The model's own label output wins over argmax (they differ only on exact ties).
      const index = labelValues ? Number(labelValues[i]) : best;
      predictions[i] = {
        label: cls.labels[index] ?? String(index),
        score: probs[i * k + index],
        probabilities,
      };
    }
    return { predictions, model_version: String(result.version) };
  }
  if (result.outputs.length === 1)
    return { predictions: rows(result.outputs[0] as HostTensor), model_version: String(result.version) };
  const perOutput = result.outputs.map((t) => [t.name, rows(t)] as const);
  const n = perOutput[0]?.[1].length ?? 0;
  const predictions = Array.from({ length: n }, (_, i) =>
    Object.fromEntries(perOutput.map(([name, r]) => [name, r[i]])),
  );
  return { predictions, model_version: String(result.version) };
}
