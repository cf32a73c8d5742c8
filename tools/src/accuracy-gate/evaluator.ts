import type { ClassifierView } from "../../../service/src/contract/inference.js";
import type { HostTensor, TensorSpec } from "../../../service/src/contract/tensor.js";
import type { ServedVersion } from "../../../service/src/core/served-version.js";
import { InfergateError } from "../../../service/src/errors.js";
import { toTensorValues } from "../../../service/src/protocol/tensor-data.js";
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

type Fit = { input: TensorSpec; classifier: ClassifierView; batchSize: number };

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
  const [input, ...more] = served.manifest.inputs;
  if (!input || more.length > 0 || input.shape.length !== 2) {
    throw new EvaluationInputError(
      `${where} must take exactly one [rows, features] input to be evaluated on ${dataset.path}`,
    );
  }
  const [batchDim, width] = input.shape as [number, number];
  if (width !== -1 && width !== dataset.width) {
    throw new EvaluationInputError(
      `feature count mismatch: ${dataset.path} has ${dataset.width} features per row, but ${where} input "${input.name}" has shape [${input.shape}]`,
    );
  }
  if (batchDim !== -1 && batchDim !== 1) {
    throw new EvaluationInputError(
      `${where} input "${input.name}" has a fixed batch of ${batchDim}; need -1 or 1`,
    );
  }
  const k = classifier.labels.length;
  const bad = dataset.labels.findIndex((label) => label >= k);
  if (bad >= 0) {
    throw new EvaluationInputError(
      `label set mismatch: row ${bad + 1} of ${dataset.path} has label ${dataset.labels[bad]}, but ${where} has ${k} labels (indexes 0..${k - 1}: ${classifier.labels.join(", ")})`,
    );
  }
  return { input, classifier, batchSize: batchDim === 1 ? 1 : batchSize };
}

function argmax(values: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++)
    if ((values[offset + c] as number) > (values[offset + best] as number)) best = c;
  return best;
}

/**
 * Runs the dataset through `served.run` in batches — the server's own checkInputs/run path, with
 * rows converted by the server's JSON tensor decoder — and computes the metrics from the model's
 * label output (argmax of the probabilities when it has none).
 */
export async function evaluate(
  served: ServedVersion,
  dataset: Dataset,
  options: EvaluateOptions,
): Promise<Evaluation> {
  const { input, classifier, batchSize } = checkFit(served, dataset, options.batchSize);
  const k = classifier.labels.length;
  const outputs = [classifier.probabilities, ...(classifier.labelOutput ? [classifier.labelOutput] : [])];
  const predicted = new Int32Array(dataset.rows);
  const probabilities = options.keepProbabilities ? new Float64Array(dataset.rows * k) : undefined;
  const started = performance.now();
  for (let start = 0; start < dataset.rows; start += batchSize) {
    const n = Math.min(batchSize, dataset.rows - start);
    const shape = [n, dataset.width];
    const data = Array.from(dataset.features.subarray(start * dataset.width, (start + n) * dataset.width));
    let inputs: HostTensor[];
    try {
      const values = toTensorValues(input.name, input.datatype, shape, data);
      inputs = [{ name: input.name, datatype: input.datatype, shape, values }];
      served.checkInputs(inputs);
    } catch (err) {
      // The server would answer 400 to these rows (e.g. 3.5 for a UINT8 input): the data does not fit.
      if (!(err instanceof InfergateError)) throw err;
      throw new EvaluationInputError(`${dataset.path} rows ${start + 1}..${start + n}: ${err.message}`);
    }
    const [probs, labels] = await served.run(inputs, outputs);
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
    options.onProgress?.(start + n, dataset.rows);
  }
  const elapsedMs = performance.now() - started;
  return {
    labels: classifier.labels,
    predicted,
    probabilities,
    metrics: classificationMetrics(confusionMatrix(dataset.labels, predicted, k)),
    batchSize,
    elapsedMs,
    rowsPerSecond: dataset.rows / Math.max(elapsedMs / 1000, 1e-9),
  };
}
