/**
 * The evaluation cannot run as asked: a missing or malformed data file, data that does not fit
 * the model (feature count, labels), or a model version that cannot be found or loaded. Distinct
 * from a gate *failure*, where everything ran and a threshold was missed (CLI exit 2 vs 1).
 */
export class EvaluationInputError extends Error {
  override name = "EvaluationInputError";
}
