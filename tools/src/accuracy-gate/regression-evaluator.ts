import type { HostTensor, TensorSpec } from "../../../service/src/contract/tensor.js";
import type { ServedVersion } from "../../../service/src/core/served-version.js";
import { fromTensorValues } from "../../../service/src/protocol/tensor-data.js";
import { checkInputFit, runInBatches } from "./batches.js";
import type { RegressionDataset } from "./dataset.js";
import { EvaluationInputError } from "./errors.js";
import { type RegressionMetrics, regressionMetrics } from "./regression-metrics.js";

export type RegressionEvaluation = Readonly<{
  /** The output the predictions were read from. */
  output: string;
  predictions: Float64Array;
  metrics: RegressionMetrics;
  batchSize: number;
  elapsedMs: number;
  rowsPerSecond: number;
}>;

const NUMERIC = new Set([
  "FP16",
  "FP32",
  "FP64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
]);

/** One value per row: [batch] or [batch, 1]. */
const oneValuePerRow = (o: TensorSpec) =>
  NUMERIC.has(o.datatype) && (o.shape.length === 1 || (o.shape.length === 2 && o.shape[1] === 1));

/** The output holding the prediction: the model's only numeric output with one value per row. */
export function predictionOutput(served: ServedVersion): TensorSpec {
  const where = `${served.model} version ${served.version}`;
  const candidates = served.manifest.outputs.filter(oneValuePerRow);
  const all = served.manifest.outputs.map((o) => `${o.name} ${o.datatype} [${o.shape}]`).join(", ");
  if (candidates.length !== 1) {
    throw new EvaluationInputError(
      `${where} needs exactly one numeric output of shape [batch] or [batch, 1] to be gated as a regressor; it has ${all}`,
    );
  }
  return candidates[0] as TensorSpec;
}

/**
 * Runs the dataset through the server's own decode/check/run path (batches.ts) and compares each
 * row's prediction with its target.
 */
export async function evaluateRegression(
  served: ServedVersion,
  dataset: RegressionDataset,
  options: Readonly<{ batchSize: number; onProgress?: (done: number, total: number) => void }>,
): Promise<RegressionEvaluation> {
  const output = predictionOutput(served);
  const fit = checkInputFit(served, dataset, options.batchSize);
  const predictions = new Float64Array(dataset.rows);
  const started = performance.now();
  const record = (start: number, n: number, [result]: HostTensor[]) => {
    const values = result ? fromTensorValues(result.datatype, result.values) : [];
    if (values.length !== n) {
      throw new EvaluationInputError(
        `${served.model} version ${served.version} answered ${values.length} values for ${n} rows in "${output.name}"`,
      );
    }
    for (let i = 0; i < n; i++) predictions[start + i] = Number(values[i]);
  };
  await runInBatches(served, dataset, fit, [output.name], record, options.onProgress);
  const elapsedMs = performance.now() - started;
  return {
    output: output.name,
    predictions,
    metrics: regressionMetrics(dataset.targets, predictions),
    batchSize: fit.batchSize,
    elapsedMs,
    rowsPerSecond: dataset.rows / Math.max(elapsedMs / 1000, 1e-9),
  };
}
