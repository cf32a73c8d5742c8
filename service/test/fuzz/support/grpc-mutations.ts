import fc from "fast-check";
import { DATATYPES } from "../../../src/contract/tensor.js";
import { MAX_ROWS, WIDTH } from "./digits.js";
import { CONTENT_FIELDS, type Message } from "./grpc-messages.js";

/**
 * Mutations of a ModelInferRequest that a protobuf client can send: names, versions, datatypes,
 * int64 dimensions at every edge (negative, 2^53 + 1, the int64 extremes), typed contents in the
 * wrong field or of the wrong length, raw contents of the wrong number or size, an input twice,
 * parameters of every InferParameter kind where another is expected. Each keeps its field's
 * protobuf type, so the encoder writes it as it is (grpc-messages.ts).
 */
/** A change to one field of a message, in the field's own protobuf type. */
export type MessageMutation =
  | { set: readonly (string | number)[]; to: unknown }
  | { duplicateInput: true }
  | { resize: number };

const int64s = fc.constantFrom(
  "-1",
  "0",
  "1",
  "63",
  "65",
  String(MAX_ROWS + 1),
  "9007199254740993",
  "9223372036854775807",
  "-9223372036854775808",
);
const names = fc.oneof(
  fc.constantFrom("", "Input", "label", "__proto__", "constructor", "in_BYTES", "in_FP16"),
  fc.string({ maxLength: 8 }),
);
const parameter = fc.oneof(
  fc.record({ bool_param: fc.boolean() }),
  fc.record({ int64_param: int64s }),
  fc.record({ string_param: fc.constantFrom("3", "", "abc") }),
  fc.record({ double_param: fc.constantFrom(0, 1.5, -1, 1e300, 5000) }),
  fc.record({ uint64_param: fc.constantFrom("0", "3", "18446744073709551615") }),
);
const someBytes = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));

export const messageMutation: fc.Arbitrary<MessageMutation> = fc.oneof(
  fc.record({
    set: fc.constant(["model_name"]),
    to: fc.constantFrom("", "nope", "digits ", "typed", "__proto__"),
  }),
  fc.record({
    set: fc.constant(["model_version"]),
    to: fc.constantFrom("0", "3", "abc", "01", "-1", "99999999999999999999"),
  }),
  fc.record({ set: fc.tuple(fc.constant("inputs"), fc.nat(2), fc.constant("name")), to: names }),
  fc.record({
    set: fc.tuple(fc.constant("inputs"), fc.nat(2), fc.constant("datatype")),
    to: fc.oneof(fc.constantFrom(...DATATYPES), fc.constantFrom("", "fp32", "BF16")),
  }),
  fc.record({ set: fc.tuple(fc.constant("inputs"), fc.nat(2), fc.constant("shape"), fc.nat(2)), to: int64s }),
  fc.record({
    set: fc.tuple(fc.constant("inputs"), fc.nat(2), fc.constant("shape")),
    to: fc.oneof(fc.array(int64s, { maxLength: 4 }), fc.constant(new Array(100).fill("1"))),
  }),
  fc.record({
    set: fc.tuple(fc.constant("inputs"), fc.nat(2), fc.constant("contents")),
    to: fc.oneof(
      fc.constant(null),
      fc.constant({}),
      fc.constantFrom(...CONTENT_FIELDS).map((f) => ({
        [f]:
          f === "bytes_contents"
            ? [Buffer.from([0xff])]
            : f.includes("64") && !f.startsWith("fp")
              ? ["1"]
              : [1],
      })),
    ),
  }),
  fc.record({ set: fc.constant(["raw_input_contents"]), to: fc.array(someBytes, { maxLength: 3 }) }),
  fc.record({ set: fc.constant(["inputs"]), to: fc.constant([]) }),
  fc.record({
    set: fc.tuple(fc.constant("outputs"), fc.nat(2)),
    to: fc.record({
      name: names,
      parameters: fc.dictionary(fc.constantFrom("classification", "binary_data", "x"), parameter, {
        maxKeys: 2,
      }),
    }),
  }),
  fc.record({
    set: fc.constant(["parameters"]),
    to: fc.dictionary(fc.constantFrom("timeout_ms", "binary_data_output", "priority"), parameter, {
      maxKeys: 2,
    }),
  }),
  fc.constant({ duplicateInput: true as const }),
  fc.record({ resize: fc.constantFrom(-WIDTH, -4, -1, 1, 4, WIDTH) }),
);

/** Applies a mutation to a message in place; `resize` changes the first input's data, typed or raw. */
export function applyMessageMutation(message: Message, m: MessageMutation): void {
  const inputs = message.inputs as Message[];
  if ("duplicateInput" in m) {
    if (inputs[0]) inputs.push(structuredClone(inputs[0]));
  } else if ("resize" in m) {
    const raw = message.raw_input_contents as Buffer[];
    const contents = inputs[0]?.contents as Record<string, unknown[]> | undefined | null;
    if (raw[0])
      raw[0] = m.resize < 0 ? raw[0].subarray(0, m.resize) : Buffer.concat([raw[0], Buffer.alloc(m.resize)]);
    else if (contents) {
      for (const [k, v] of Object.entries(contents))
        contents[k] = m.resize < 0 ? v.slice(0, m.resize) : v.concat(new Array(m.resize).fill(v[0] ?? 0));
    }
  } else {
    // An index past an array's end appends: a hole would be a message the encoder cannot write.
    const at = (node: unknown, k: string | number) =>
      Array.isArray(node) && typeof k === "number" ? Math.min(k, node.length) : k;
    let node = message as Record<string | number, unknown>;
    m.set.slice(0, -1).forEach((k, i) => {
      const key = at(node, k);
      if (typeof node[key] !== "object" || node[key] === null)
        node[key] = typeof m.set[i + 1] === "number" ? [] : {};
      node = node[key] as Record<string | number, unknown>;
    });
    node[at(node, m.set[m.set.length - 1] as string | number)] = m.to;
  }
}
