import type { DecodeTarget } from "../../src/contract/inference.js";
import type { Datatype, TensorSpec } from "../../src/contract/tensor.js";

type LooseInput = { name?: unknown; datatype?: unknown; shape?: unknown };

/**
 * A decode target that accepts the request's own inputs as declared (their names, datatypes and
 * ranks, every dimension dynamic): codec tests then exercise decoding itself, while the checks
 * against a real model's signature are tested with real targets (tensor-header.test.ts).
 */
export function targetOf(request: unknown, maxRows = Number.MAX_SAFE_INTEGER): DecodeTarget {
  const inputs = (request as { inputs?: unknown }).inputs;
  const specs = new Map<string, TensorSpec>();
  for (const input of Array.isArray(inputs) ? (inputs as LooseInput[]) : []) {
    const rank = Array.isArray(input.shape) ? input.shape.length : 0;
    const name = String(input.name ?? "");
    if (!specs.has(name))
      specs.set(name, {
        name,
        datatype: String(input.datatype) as Datatype,
        shape: new Array(rank).fill(-1),
      });
  }
  return { model: "test", inputs: specs, batchable: false, maxRows };
}
