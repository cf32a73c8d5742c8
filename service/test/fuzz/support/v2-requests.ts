import fc from "fast-check";
import { DATATYPES } from "../../../src/contract/tensor.js";
import { features, INPUT, MAX_ROWS, type ValidSpec, WIDTH } from "./digits.js";
import { deepArray, hostileValue } from "./json-tree.js";

/**
 * V2 infer bodies for the digits model: the valid body a spec describes (data as JSON, or as
 * binary tensor data after the header), and the mutations aimed at the fields the V2 decoder
 * and the header check read. The generic tree mutations (json-tree.ts) reach every field
 * sometimes; these reach the ones that matter often, with the values that sit on the checks'
 * edges (one row too many, a dimension of 2^53, a count one short).
 */
export type V2Body = { header: Record<string, unknown>; bytes: Buffer | undefined };

export function v2Body(spec: ValidSpec, binaryInput: boolean): V2Body {
  const values = features(spec);
  const input: Record<string, unknown> = { name: INPUT, shape: [spec.rows, WIDTH], datatype: "FP32" };
  let bytes: Buffer | undefined;
  if (binaryInput) {
    bytes = Buffer.from(new Float32Array(values).buffer);
    input.parameters = { binary_data_size: bytes.length };
  } else {
    input.data = spec.nested
      ? Array.from({ length: spec.rows }, (_, r) => values.slice(r * WIDTH, (r + 1) * WIDTH))
      : values;
  }
  const header: Record<string, unknown> = {};
  if (spec.id !== undefined) header.id = spec.id;
  if (spec.timeoutMs !== undefined || spec.binaryAll) {
    header.parameters = {
      ...(spec.timeoutMs !== undefined ? { timeout_ms: spec.timeoutMs } : {}),
      ...(spec.binaryAll ? { binary_data_output: true } : {}),
    };
  }
  header.inputs = [input];
  if (spec.outputs) {
    header.outputs = spec.outputs.map((o) => {
      const parameters = {
        ...(o.binary !== undefined ? { binary_data: o.binary } : {}),
        ...(o.classification !== undefined ? { classification: o.classification } : {}),
      };
      return Object.keys(parameters).length > 0 ? { name: o.name, parameters } : { name: o.name };
    });
  }
  return { header, bytes };
}

/** A change to one field of a V2 body, described so a counterexample says what it was. */
export type FieldMutation =
  | { set: readonly (string | number)[]; to: unknown }
  | { resizeData: number }
  | { duplicateInput: true };

const dims = fc.constantFrom<unknown>(
  -1,
  -64,
  0,
  1,
  63,
  65,
  1.5,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  1e300,
  "64",
  null,
);
const datatypes = fc.oneof(
  fc.constantFrom<unknown>(...DATATYPES),
  fc.constantFrom("fp32", "FLOAT", "FP32 ", "", "BF16"),
);
const names = fc.oneof(
  fc.constantFrom<unknown>(
    "",
    "Input",
    "input ",
    "label",
    "probabilities",
    "__proto__",
    "constructor",
    "toString",
  ),
  fc.string({ maxLength: 10 }),
);
/** Parameters' values of the wrong type or range for what each parameter means. */
const badCount = fc.constantFrom<unknown>(0, -1, 1.5, "3", true, null, [], {}, 2 ** 53, 1e20);
const badFlag = fc.constantFrom<unknown>("true", 1, 0, null, [], {});

export function fieldMutation(spec: ValidSpec): fc.Arbitrary<FieldMutation> {
  const shape = ["inputs", 0, "shape"];
  return fc.oneof(
    fc.record({ set: fc.constantFrom(shape.concat(0), shape.concat(1)), to: dims }),
    fc.record({
      set: fc.constant(shape.concat(0)),
      to: fc.constantFrom(spec.rows - 1, spec.rows + 1, MAX_ROWS + 1, 1_000_000),
    }),
    fc.record({
      set: fc.constant(shape),
      to: fc.constantFrom<unknown>(
        [spec.rows * WIDTH],
        [spec.rows, 8, 8],
        [1, spec.rows, WIDTH],
        [],
        new Array(5000).fill(1),
        "[1, 64]",
        { 0: 1, 1: 64 },
      ),
    }),
    fc.record({ set: fc.constant(["inputs", 0, "datatype"]), to: datatypes }),
    fc.record({ set: fc.constant(["inputs", 0, "name"]), to: names }),
    fc.record({
      set: fc.constant(["inputs", 0, "data"]),
      to: fc.oneof(hostileValue, fc.constantFrom(10, 100_000).map(deepArray)),
    }),
    fc.record({ resizeData: fc.constantFrom(-WIDTH, -1, 1, WIDTH) }),
    fc.constant({ duplicateInput: true as const }),
    fc.record({
      set: fc.constant(["inputs", 1]),
      to: fc.record({
        name: names,
        shape: fc.constant([1, WIDTH]),
        datatype: datatypes,
        data: fc.constant(new Array(WIDTH).fill(0)),
      }),
    }),
    fc.record({ set: fc.constant(["inputs"]), to: fc.constantFrom<unknown>([], {}, null, "input") }),
    fc.record({
      set: fc.constant(["inputs", 0, "parameters"]),
      to: fc.record({ binary_data_size: fc.oneof(badCount, fc.nat()) }),
    }),
    fc.record({
      set: fc.constant(["outputs"]),
      to: fc.oneof(
        fc.array(fc.record({ name: names }), { maxLength: 3 }),
        fc.constantFrom<unknown>([{ name: "label" }, { name: "label" }], [{}], [null], "label"),
      ),
    }),
    fc.record({
      set: fc.constant(["outputs"]),
      to: fc
        .tuple(fc.constantFrom("label", "probabilities"), badCount, badFlag)
        .map(([name, classification, binary_data]) => [
          { name, parameters: { classification, binary_data } },
        ]),
    }),
    fc.record({
      set: fc.constant(["parameters"]),
      to: fc.oneof(
        fc.record({ timeout_ms: badCount, binary_data_output: badFlag }, { requiredKeys: [] }),
        fc.constantFrom<unknown>([], "x", null, 5),
      ),
    }),
    fc.record({ set: fc.constant(["id"]), to: fc.constantFrom<unknown>(5, null, {}, [], true) }),
  );
}

/** Applies a field mutation to a body in place (the body is a fresh one per request). */
export function applyFieldMutation(body: V2Body, m: FieldMutation): void {
  // An earlier mutation may have replaced the inputs: then there is nothing left to resize or copy.
  const inputs = Array.isArray(body.header.inputs) ? (body.header.inputs as unknown[]) : [];
  const input = (typeof inputs[0] === "object" && inputs[0] !== null ? inputs[0] : {}) as Record<
    string,
    unknown
  >;
  if ("duplicateInput" in m) {
    inputs.push(structuredClone(input));
  } else if ("resizeData" in m) {
    if (Array.isArray(input.data)) {
      const flat = (input.data as unknown[]).flat();
      input.data =
        m.resizeData < 0 ? flat.slice(0, m.resizeData) : flat.concat(new Array(m.resizeData).fill(0.5));
    } else if (body.bytes) {
      const n = m.resizeData * 4;
      body.bytes = n < 0 ? body.bytes.subarray(0, n) : Buffer.concat([body.bytes, Buffer.alloc(n)]);
    }
  } else {
    let node = body.header as Record<string | number, unknown>;
    for (const k of m.set.slice(0, -1)) {
      if (typeof node[k] !== "object" || node[k] === null) node[k] = {};
      node = node[k] as Record<string | number, unknown>;
    }
    node[m.set[m.set.length - 1] as string | number] = m.to;
  }
}
