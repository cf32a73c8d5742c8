import type { DecodeTarget } from "../contract/inference.js";
import { Errors } from "../errors.js";

/** No model has more dimensions than this; a deeper shape is refused before it is looked at. */
const MAX_RANK = 64;

/**
 * Checks a request tensor's name, datatype and shape against the model version it goes to,
 * before anything is allocated for it, and returns its element count. Every decoder (V2 JSON,
 * binary tensor data, gRPC typed and raw, V1) calls it first, so a request the model cannot
 * take is a 400 naming the tensor, never a huge allocation, a deep recursion or a 500:
 * - the input exists and has the model's datatype;
 * - the rank is the model's, and every fixed dimension is the model's;
 * - every dimension is a safe non-negative integer, and so is their product;
 * - a batchable model's first dimension (rows) is at most the per-request row limit.
 */
export function checkTensorHeader(
  target: DecodeTarget,
  name: string,
  datatype: string,
  shape: readonly unknown[],
): number {
  const spec = target.inputs.get(name);
  if (!spec) throw Errors.unknownInput(target.model, name, [...target.inputs.keys()]);
  if (spec.datatype !== datatype) throw Errors.datatypeMismatch(name, spec.datatype, datatype);
  const expected = spec.shape;
  if (shape.length !== expected.length) {
    const got = shape.length > MAX_RANK ? `${shape.length} dimensions` : `[${shape.join(", ")}]`;
    throw Errors.shapeMismatch(name, `expected rank ${expected.length} [${expected}], got ${got}`);
  }
  let count = 1;
  for (let d = 0; d < expected.length; d++) {
    const dim = shape[d];
    if (typeof dim !== "number" || !Number.isSafeInteger(dim) || dim < 0)
      throw Errors.shapeMismatch(name, `dimension ${d} must be a non-negative integer, got ${String(dim)}`);
    const want = expected[d] as number;
    if (want !== -1 && want !== dim)
      throw Errors.shapeMismatch(
        name,
        `dimension ${d} must be ${want} (shape [${expected}]), got [${shape}]`,
      );
    count *= dim;
    if (!Number.isSafeInteger(count))
      throw Errors.shapeMismatch(name, `shape [${shape}] has more elements than a tensor can hold`);
  }
  if (target.batchable && (shape[0] as number) > target.maxRows)
    throw Errors.tooManyRows(name, shape[0] as number, target.maxRows);
  return count;
}
