import type { ClassifierView } from "../../../service/src/contract/inference.js";
import type { HostTensor } from "../../../service/src/contract/tensor.js";
import type { ServedVersion } from "../../../service/src/core/served-version.js";
import { checkInputFit, type InputFit, runInBatches } from "./batches.js";
import type { Dataset } from "./dataset.js";
import { EvaluationInputError } from "./errors.js";
import { type ClassificationMetrics, classificationMetrics, confusionMatrix } from "./metrics.js";

export type EvaluateOptions = Readonly<{
  /** Rows per ORT run. */
  batchSize: number;
  /** Keep every row's probabilities (rows × labels) in the result, e.g. to compare with a server. */
  keepProbabilities?: boolean;
  onProgress?: (done: number, total: number) => void;
}>;

export type Evaluation = Readonly<{
  labels: readonly string[];
  predicted: Int32Array;
  probabilities: Float64Array | undefined;
  metrics: ClassificationMetrics;
  batchSize: number;
  elapsedMs: number;
  rowsPerSecond: number;
}>;

type Fit = InputFit & { classifier: ClassifierView };

/**
 * Checks that `dataset` can be fed to `served` as the gate feeds it — one [rows, features] input,
 * labels that index the manifest's `labels`, a classifier output — and says what does not fit.
 */
export function checkFit(served: ServedVersion, dataset: Dataset, batchSize: number): Fit {
  const where = `${served.model} version ${served.version}`;
  const classifier = served.classifier;
  if (!classifier) {
    throw new EvaluationInputError(
      `${where} is not a classifier: its manifest needs "labels" and a [batch, n_labels] FP32/FP64 output`,
    );
  }
  const fit = checkInputFit(served, dataset, batchSize);
  const k = classifier.labels.length;
  const bad = dataset.labels.findIndex((label) => label >= k);
  if (bad >= 0) {
    throw new EvaluationInputError(
      `label set mismatch: row ${bad + 1} of ${dataset.path} has label ${dataset.labels[bad]}, but ${where} has ${k} labels (indexes 0..${k - 1}: ${classifier.labels.join(", ")})`,
    );
  }
  return { ...fit, classifier };
}

function argmax(values: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++)
    if ((values[offset + c] as number) > (values[offset + best] as number)) best = c;
  return best;
}

/**
 * Runs the dataset through the server's own decode/check/run path (batches.ts) and computes the
 * metrics from the model's label output (argmax of the probabilities when it has none).
 */
export async function evaluate(
  served: ServedVersion,
  dataset: Dataset,
  options: EvaluateOptions,
): Promise<Evaluation> {
  const fit = checkFit(served, dataset, options.batchSize);
  const { classifier } = fit;
  const k = classifier.labels.length;
  const outputs = [classifier.probabilities, ...(classifier.labelOutput ? [classifier.labelOutput] : [])];
  const predicted = new Int32Array(dataset.rows);
  const probabilities = options.keepProbabilities ? new Float64Array(dataset.rows * k) : undefined;
  const started = performance.now();
  const record = (start: number, n: number, [probs, labels]: HostTensor[]) => {
    const p = probs?.values as Float32Array | Float64Array;
    for (let i = 0; i < n; i++) {
      const label = labels ? Number((labels.values as BigInt64Array)[i]) : argmax(p, i * k, k);
      if (!Number.isInteger(label) || label < 0 || label >= k) {
        throw new EvaluationInputError(
          `${served.model} version ${served.version} predicted class ${label}, outside its ${k} labels`,
        );
      }
      predicted[start + i] = label;
    }
    probabilities?.set(p.subarray(0, n * k), start * k);
  };
  await runInBatches(served, dataset, fit, outputs, record, options.onProgress);
  const elapsedMs = performance.now() - started;
  return {
    labels: classifier.labels,
    predicted,
    probabilities,
    metrics: classificationMetrics(confusionMatrix(dataset.labels, predicted, k)),
    batchSize: fit.batchSize,
    elapsedMs,
    rowsPerSecond: dataset.rows / Math.max(elapsedMs / 1000, 1e-9),
  };
}
