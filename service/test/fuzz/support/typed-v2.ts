import fc from "fast-check";
import { applyByteMutation, type ByteMutation, byteMutation } from "./bytes.js";
import { applyTreeMutation, serialize, type TreeMutation, treeMutation } from "./json-tree.js";
import { storeBytes, type TypedTensor, typedInputs } from "./typed-target.js";

/**
 * V2 requests for the every-datatype target (typed-target.ts), to call decodeInferRequest
 * directly: each input's data as JSON (flat or nested by rows) or as binary tensor data, and
 * mutations of the header (json-tree.ts) and of the binary part, among them the lies binary
 * data can tell: a BYTES element's length prefix off by a little or by 4 GiB, a BOOL byte that
 * is not 0 or 1, a size in the header that is not the bytes' size.
 */
export type BinaryLie =
  | { input: number; bytes: ByteMutation }
  | { input: number; lengthPrefix: number; delta: number }
  /** binary_data_size in the header kept as it was before the bytes changed (else: the new size). */
  | { staleSizes: true };

export type TypedV2Case = {
  inputs: TypedTensor[];
  binary: boolean[];
  nested: boolean;
  mutations: { tree: TreeMutation[]; lies: BinaryLie[] } | undefined;
};

const lie: fc.Arbitrary<BinaryLie> = fc.oneof(
  fc.record({ input: fc.nat(), bytes: byteMutation }),
  fc.record({
    input: fc.nat(),
    lengthPrefix: fc.nat(),
    delta: fc.constantFrom(-2, -1, 1, 2, 0x7fff_ffff, 0xffff_ffff),
  }),
  fc.constant({ staleSizes: true as const }),
);

export const typedV2Case = (binary: boolean): fc.Arbitrary<TypedV2Case> =>
  typedInputs.chain((inputs) =>
    fc.record({
      inputs: fc.constant(inputs),
      binary: fc.array(binary ? fc.boolean() : fc.constant(false), {
        minLength: inputs.length,
        maxLength: inputs.length,
      }),
      nested: fc.boolean(),
      mutations: fc.oneof(fc.constant(undefined), {
        weight: 2,
        arbitrary: fc.record({
          tree: fc.array(treeMutation, { maxLength: 2 }),
          lies: binary ? fc.array(lie, { maxLength: 2 }) : fc.constant<BinaryLie[]>([]),
        }),
      }),
    }),
  );

/** Moves the length prefix of a BYTES element (the n-th, modulo their number) by `delta`. */
function moveLengthPrefix(bytes: Buffer, n: number, delta: number): Buffer {
  const starts: number[] = [];
  for (let at = 0; at + 4 <= bytes.length; at += 4 + bytes.readUInt32LE(at)) starts.push(at);
  if (starts.length === 0) return bytes;
  const out = Buffer.from(bytes);
  const at = starts[n % starts.length] as number;
  out.writeUInt32LE((out.readUInt32LE(at) + delta) >>> 0, at);
  return out;
}

/** The case as decodeInferRequest takes it: the parsed header and the bytes after it (when any input is binary). */
export function buildTypedV2(c: TypedV2Case): { body: unknown; binary: Buffer | undefined } {
  const blobs = c.inputs.map((t, i) => (c.binary[i] ? storeBytes(t.datatype, t.store) : undefined));
  const sizes = blobs.map((b) => b?.length);
  let stale = false;
  for (const l of c.mutations?.lies ?? []) {
    if ("staleSizes" in l) {
      stale = true;
      continue;
    }
    const binaryAt = blobs.flatMap((b, i) => (b ? [i] : []));
    if (binaryAt.length === 0) continue;
    const i = binaryAt[l.input % binaryAt.length] as number;
    const b = blobs[i] as Buffer;
    const isBytes = c.inputs[i]?.datatype === "BYTES";
    blobs[i] =
      "bytes" in l
        ? applyByteMutation(b, l.bytes)
        : isBytes
          ? moveLengthPrefix(b, l.lengthPrefix, l.delta)
          : b;
  }
  const inputs = c.inputs.map((t, i) => {
    const rows = t.shape[0] as number;
    const width = t.json.length / Math.max(rows, 1);
    const data = c.nested
      ? Array.from({ length: rows }, (_, r) => t.json.slice(r * width, (r + 1) * width))
      : t.json;
    const size = stale ? sizes[i] : blobs[i]?.length;
    const base = { name: t.name, shape: t.shape, datatype: t.datatype };
    return blobs[i] ? { ...base, parameters: { binary_data_size: size } } : { ...base, data };
  });
  let header: unknown = { inputs };
  for (const m of c.mutations?.tree ?? []) header = applyTreeMutation(header, m);
  const present = blobs.filter((b): b is Buffer => b !== undefined);
  // JSON.parse, not Fastify's parser: a "__proto__" key reaches the decoder as an own key here.
  return {
    body: JSON.parse(serialize(header) || "null"),
    binary: present.length > 0 ? Buffer.concat(present) : undefined,
  };
}
