import fc from "fast-check";
import type { DecodeTarget } from "../../../src/contract/inference.js";
import { DATATYPES, type Datatype, type TensorValues } from "../../../src/contract/tensor.js";
import { DATATYPE_INFO } from "../../../src/runtime/datatypes.js";

/**
 * A model signature the bundled digits model cannot offer, for the decoder-level properties: one
 * input of every datatype, so BYTES length prefixes, BOOL bytes, FP16 rounding, 64-bit integers
 * as decimal strings and unsigned ranges all meet the decoders (the route-level properties only
 * reach FP32). Each input is [-1, width], batchable, at most MAX_ROWS rows. A valid tensor comes
 * with the store the decoder must produce, built here independently of the codec's own code.
 */
export const MAX_ROWS = 4;
const WIDTH = 3;

export const TYPED_TARGET: DecodeTarget = Object.freeze({
  model: "typed",
  inputs: new Map(
    DATATYPES.map((dt) => [`in_${dt}`, { name: `in_${dt}`, datatype: dt, shape: [-1, WIDTH] }]),
  ),
  batchable: true,
  maxRows: MAX_ROWS,
});

/** One valid tensor: its JSON-ready values (flat) and the store decoding must give. */
export type TypedTensor = {
  name: string;
  datatype: Datatype;
  shape: number[];
  json: unknown[];
  store: TensorValues;
};

/** Values of a datatype as a client sends them in JSON (64-bit integers as numbers or decimal strings). */
function elements(dt: Datatype): fc.Arbitrary<[json: unknown, exact: unknown]> {
  const info = DATATYPE_INFO[dt];
  switch (info.kind) {
    case "bool":
      return fc.boolean().map((b) => [b, b ? 1 : 0]);
    case "int":
      return fc.integer({ min: info.min as number, max: info.max as number }).map((n) => [n, n]);
    case "bigint":
      return fc
        .tuple(fc.bigInt({ min: info.bigMin as bigint, max: info.bigMax as bigint }), fc.boolean())
        .map(([b, asString]) => [
          asString || b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER)
            ? String(b)
            : Number(b),
          b,
        ]);
    case "string":
      // Graphemes: well-formed Unicode, which UTF-8 carries both ways (a lone surrogate does not).
      return fc.string({ unit: "grapheme", maxLength: 6 }).map((s) => [s, s]);
    default:
      // -0 as 0: JSON writes -0 as 0, so a JSON request cannot carry it (binary ones could).
      return fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? [0, 0] : [x, x]));
  }
}

/** The store for exact values, filled the way the protocol defines each type (FP16: nearest, ties to even). */
function storeOf(dt: Datatype, exact: unknown[]): TensorValues {
  const store = DATATYPE_INFO[dt].alloc(exact.length);
  if (dt === "FP16") {
    const view = new DataView((store as Uint16Array).buffer);
    exact.forEach((x, i) => {
      view.setFloat16(i * 2, x as number, true);
    });
  } else {
    exact.forEach((x, i) => {
      (store as unknown[])[i] = x;
    });
  }
  return store;
}

export function typedTensor(dt: Datatype, rows: number): fc.Arbitrary<TypedTensor> {
  return fc.array(elements(dt), { minLength: rows * WIDTH, maxLength: rows * WIDTH }).map((pairs) => ({
    name: `in_${dt}`,
    datatype: dt,
    shape: [rows, WIDTH],
    json: pairs.map(([j]) => j),
    store: storeOf(
      dt,
      pairs.map(([, e]) => e),
    ),
  }));
}

/** 1–3 inputs of different datatypes with the same number of rows. */
export const typedInputs: fc.Arbitrary<TypedTensor[]> = fc
  .tuple(
    fc.integer({ min: 1, max: MAX_ROWS }),
    fc.uniqueArray(fc.constantFrom(...DATATYPES), { minLength: 1, maxLength: 3 }),
  )
  .chain(([rows, dts]) => fc.tuple(...dts.map((dt) => typedTensor(dt, rows))));

/** The store's bytes in the binary tensor data layout (BYTES: 4-byte little-endian length, then UTF-8). */
export function storeBytes(dt: Datatype, store: TensorValues): Buffer {
  if (dt !== "BYTES") {
    const typed = store as Exclude<TensorValues, string[]>;
    return Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
  }
  return Buffer.concat(
    (store as string[]).flatMap((s) => {
      const utf8 = Buffer.from(s, "utf8");
      const length = Buffer.alloc(4);
      length.writeUInt32LE(utf8.length);
      return [length, utf8];
    }),
  );
}
