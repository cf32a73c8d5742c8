import fc from "fast-check";
import type { DecodeTarget } from "../../../src/contract/inference.js";
import { DATATYPES, type Datatype, type TensorSpec } from "../../../src/contract/tensor.js";
import { applyTreeMutation, serialize, type TreeMutation, treeMutation } from "./json-tree.js";
import { MAX_ROWS, type TypedTensor, typedTensor } from "./typed-target.js";

/**
 * V1 predict bodies for decodePredictRequest called directly, over single-input models of every
 * datatype ([-1, 3]: each instance a row of three values), so BOOL rows, 64-bit integers as
 * strings and BYTES strings meet the V1 decoder. Also the models V1 cannot serve (two inputs,
 * a dynamic non-batch dimension), whose every request must be a 400 naming why.
 */
export type ModelShape = "one input" | "two inputs" | "dynamic row";

export function v1Target(dt: Datatype, model: ModelShape): DecodeTarget {
  const spec: TensorSpec = { name: `in_${dt}`, datatype: dt, shape: [-1, model === "dynamic row" ? -1 : 3] };
  const inputs = new Map([[spec.name, spec]]);
  if (model === "two inputs") inputs.set("other", { name: "other", datatype: "FP32", shape: [-1, 3] });
  return { model: `v1_${dt}`, inputs, batchable: true, maxRows: MAX_ROWS };
}

export type TypedV1Case = { tensor: TypedTensor; model: ModelShape; tree: TreeMutation[] | undefined };

export const typedV1Case: fc.Arbitrary<TypedV1Case> = fc
  .tuple(fc.constantFrom(...DATATYPES), fc.integer({ min: 1, max: MAX_ROWS }))
  .chain(([dt, rows]) =>
    fc.record({
      tensor: typedTensor(dt, rows),
      model: fc.constantFrom<ModelShape>("one input", "one input", "one input", "two inputs", "dynamic row"),
      tree: fc.oneof(fc.constant(undefined), {
        weight: 2,
        arbitrary: fc.array(treeMutation, { minLength: 1, maxLength: 2 }),
      }),
    }),
  );

/** True when the request must decode: a servable model and no mutation. */
export const isValidV1 = (c: TypedV1Case) => c.model === "one input" && c.tree === undefined;

/** The body as JSON.parse gives it (an own "__proto__" key included): instances, one row each. */
export function typedV1Body(c: TypedV1Case): unknown {
  const rows = c.tensor.shape[0] as number;
  const width = c.tensor.json.length / rows;
  const instances = Array.from({ length: rows }, (_, r) => c.tensor.json.slice(r * width, (r + 1) * width));
  let body: unknown = { instances };
  for (const m of c.tree ?? []) body = applyTreeMutation(body, m);
  return JSON.parse(serialize(body) || "null");
}
