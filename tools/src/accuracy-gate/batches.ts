import type { HostTensor, TensorSpec } from "../../../service/src/contract/tensor.js";
import type { ServedVersion } from "../../../service/src/core/served-version.js";
import { InfergateError } from "../../../service/src/errors.js";
import { toTensorValues } from "../../../service/src/protocol/tensor-data.js";
import { EvaluationInputError } from "./errors.js";

/** The part of a dataset the model sees: rows × width features, row-major. */
export type FeatureRows = Readonly<{ path: string; rows: number; width: number; features: Float64Array }>;

/** The model's one input and the rows per run the gate may use with it. */
export type InputFit = Readonly<{ input: TensorSpec; batchSize: number }>;

/**
 * Checks that the rows can be fed to `served` as the gate feeds them — one [rows, features]
 * input of the data's width, a batch dim of -1 or 1 — and says what does not fit.
 */
export function checkInputFit(served: ServedVersion, data: FeatureRows, batchSize: number): InputFit {
  const where = `${served.model} version ${served.version}`;
  const [input, ...more] = served.manifest.inputs;
  if (!input || more.length > 0 || input.shape.length !== 2) {
    throw new EvaluationInputError(
      `${where} must take exactly one [rows, features] input to be evaluated on ${data.path}`,
    );
  }
  const [batchDim, width] = input.shape as [number, number];
  if (width !== -1 && width !== data.width) {
    throw new EvaluationInputError(
      `feature count mismatch: ${data.path} has ${data.width} features per row, but ${where} input "${input.name}" has shape [${input.shape}]`,
    );
  }
  if (batchDim !== -1 && batchDim !== 1) {
    throw new EvaluationInputError(
      `${where} input "${input.name}" has a fixed batch of ${batchDim}; need -1 or 1`,
    );
  }
  return { input, batchSize: batchDim === 1 ? 1 : batchSize };
}

/**
 * Runs every row through `served.run` in batches — the server's own checkInputs/run path, with
 * rows converted by the server's JSON tensor decoder — handing each batch's outputs to `onBatch`.
 */
export async function runInBatches(
  served: ServedVersion,
  data: FeatureRows,
  fit: InputFit,
  outputs: readonly string[],
  onBatch: (start: number, rows: number, results: HostTensor[]) => void,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const { input, batchSize } = fit;
  for (let start = 0; start < data.rows; start += batchSize) {
    const n = Math.min(batchSize, data.rows - start);
    const shape = [n, data.width];
    const values = Array.from(data.features.subarray(start * data.width, (start + n) * data.width));
    let inputs: HostTensor[];
    try {
      inputs = [
        {
          name: input.name,
          datatype: input.datatype,
          shape,
          values: toTensorValues(input.name, input.datatype, shape, values),
        },
      ];
      served.checkInputs(inputs);
    } catch (err) {
      // The server would answer 400 to these rows (e.g. 3.5 for a UINT8 input): the data does not fit.
      if (!(err instanceof InfergateError)) throw err;
      throw new EvaluationInputError(`${data.path} rows ${start + 1}..${start + n}: ${err.message}`);
    }
    onBatch(start, n, await served.run(inputs, outputs));
    onProgress?.(start + n, data.rows);
  }
}
