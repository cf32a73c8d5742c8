import type { HostTensor, Signature } from "../contract/tensor.js";
import { DATATYPE_INFO } from "./datatypes.js";

/**
 * Warm-up: the first inference of a new session, run before it serves so the first real request
 * does not pay for ONNX Runtime's lazy initialisation. Two kinds, as Triton's `model_warmup`:
 *
 * - samples: real rows from the manifest's `warmup` block. The model must answer them: a failure
 *   means the version cannot serve its own example and fails to load.
 * - synthetic: zeros (empty strings for BYTES) with every dynamic dim set to 1, when the manifest
 *   has no samples. Synthetic data can be invalid for a valid model (a one-hot encoder refuses an
 *   unknown category, a lookup an out-of-vocabulary id), so its failure is reported, not fatal:
 *   the session was created and its signature checked, which is what gates readiness.
 */

/** Request inputs for each warm-up run, already checked against the model's inputs. */
export type WarmupSamples = readonly (readonly HostTensor[])[];

/** What the warm-up of a loaded model did, for the loader to log. */
export type WarmupOutcome =
  | Readonly<{ kind: "samples"; runs: number }>
  | Readonly<{ kind: "synthetic" }>
  | Readonly<{ kind: "synthetic_failed"; message: string }>;

/** One synthetic request: zeros of every input's datatype, dynamic dims set to 1. */
export function syntheticInputs(signature: Signature): HostTensor[] {
  return signature.inputs.map((spec) => {
    const shape = spec.shape.map((d) => (d < 0 ? 1 : d));
    const size = shape.reduce((a, b) => a * b, 1);
    return {
      name: spec.name,
      datatype: spec.datatype,
      shape,
      values: DATATYPE_INFO[spec.datatype].alloc(size),
    };
  });
}
