import { describe, expect, it } from "vitest";
import type { Datatype, TypedArray } from "../../src/contract/tensor.js";
import { tensorBytes, valuesFromBytes } from "../../src/protocol/binary-tensor.js";
import { DATATYPE_INFO } from "../../src/runtime/datatypes.js";

const FIXED: [Datatype, TypedArray][] = [
  ["BOOL", new Uint8Array([1, 0, 1, 1, 0, 0])],
  ["UINT8", new Uint8Array([0, 1, 127, 128, 254, 255])],
  ["UINT16", new Uint16Array([0, 1, 300, 65535, 7, 8])],
  ["UINT32", new Uint32Array([0, 1, 70000, 4294967295, 7, 8])],
  ["UINT64", new BigUint64Array([0n, 1n, 2n ** 53n + 1n, 2n ** 64n - 1n, 7n, 8n])],
  ["INT8", new Int8Array([0, -1, 127, -128, 7, 8])],
  ["INT16", new Int16Array([0, -1, 32767, -32768, 7, 8])],
  ["INT32", new Int32Array([0, -1, 2147483647, -2147483648, 7, 8])],
  ["INT64", new BigInt64Array([0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 7n, 8n])],
  // FP16 as its bits: 0, -0, 1.5, 65504 (max), 2^-24 (least subnormal), NaN.
  ["FP16", new Uint16Array([0x0000, 0x8000, 0x3e00, 0x7bff, 0x0001, 0x7e00])],
  ["FP32", new Float32Array([0, -0, 1.5, -3.4e38, 1e-7, Number.NaN])],
  ["FP64", new Float64Array([0, -0, 1.5, 1e300, 1e-300, Number.POSITIVE_INFINITY])],
];

/** Bytes of the extension's BYTES layout: 4-byte little-endian length, then the bytes. */
function bytesLayout(...elements: Uint8Array[]): Uint8Array {
  return Buffer.concat(
    elements.flatMap((e) => {
      const n = Buffer.alloc(4);
      n.writeUInt32LE(e.length);
      return [n, e];
    }),
  );
}

describe("binary tensor data (extension layout)", () => {
  it.each(FIXED)("%s: bytes and values round-trip, little-endian, row-major", (datatype, values) => {
    const bytes = tensorBytes(datatype, values);
    expect(bytes.byteLength).toBe(values.byteLength);
    // Read back through a DataView: the layout is the spec's, not only the typed array's own.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (datatype === "INT32") expect(view.getInt32(4, true)).toBe(-1);
    if (datatype === "FP64") expect(view.getFloat64(16, true)).toBe(1.5);
    if (datatype === "FP16") expect(view.getUint16(4, true)).toBe(0x3e00);
    const back = valuesFromBytes("x", datatype, [2, 3], bytes);
    expect(back).toBeInstanceOf(values.constructor);
    const items = (a: unknown) => Array.from(a as ArrayLike<number | bigint>);
    expect(items(back)).toEqual(items(values));
  });

  it("copies into an aligned store of its own (the request buffer may be unaligned and reused)", () => {
    const floats = new Float32Array([1.25, -2.5, 3.75]);
    const buffer = Buffer.alloc(1 + floats.byteLength);
    buffer.set(new Uint8Array(floats.buffer), 1); // offset 1: not a multiple of 4
    const values = valuesFromBytes("x", "FP32", [3], buffer.subarray(1)) as Float32Array;
    buffer.fill(0);
    expect(Array.from(values)).toEqual([1.25, -2.5, 3.75]);
  });

  it("keeps a view of bytes its caller owns when they are aligned, and copies them otherwise", () => {
    const floats = new Float32Array([1.25, -2.5, 3.75]);
    const buffer = Buffer.alloc(8 + floats.byteLength);
    buffer.set(new Uint8Array(floats.buffer), 8);
    const viewed = valuesFromBytes("x", "FP32", [3], buffer.subarray(8), true) as Float32Array;
    expect(viewed.buffer).toBe(buffer.buffer); // no copy, no second allocation
    expect(Array.from(viewed)).toEqual([1.25, -2.5, 3.75]);
    const notOwned = valuesFromBytes("x", "FP32", [3], buffer.subarray(8)) as Float32Array;
    expect(notOwned.buffer).not.toBe(buffer.buffer);
    const odd = Buffer.alloc(1 + floats.byteLength);
    odd.set(new Uint8Array(floats.buffer), 1);
    const copied = valuesFromBytes("x", "FP32", [3], odd.subarray(1), true) as Float32Array;
    expect(copied.buffer).not.toBe(odd.buffer);
    expect(Array.from(copied)).toEqual([1.25, -2.5, 3.75]);
  });

  it("refuses a byte count that does not match the shape, naming both", () => {
    expect(() => valuesFromBytes("x", "FP32", [2, 64], new Uint8Array(256))).toThrow(
      'input "x": binary_data_size is 256 bytes where FP32 shape [2, 64] needs 512',
    );
  });

  it("refuses BOOL bytes other than 0 and 1", () => {
    expect(() => valuesFromBytes("flags", "BOOL", [3], new Uint8Array([1, 0, 2]))).toThrow(
      'input "flags": binary BOOL element 2 is byte 2 (must be 0 or 1)',
    );
  });

  it("BYTES: length-prefixed elements round-trip, empty and non-ASCII ones too", () => {
    const texts = ["", "a", "é ✓ 😀", 'quote " and \\', "\u0000"];
    const bytes = tensorBytes("BYTES", texts);
    expect(Buffer.from(bytes)).toEqual(Buffer.from(bytesLayout(...texts.map((t) => Buffer.from(t)))));
    expect(valuesFromBytes("s", "BYTES", [5], bytes)).toEqual(texts);
  });

  it.each([
    ["ends before an element", bytesLayout(Buffer.from("abcdef")), [2], /ends before element 1 of 2/],
    [
      "claims more elements than 4-byte lengths fit",
      bytesLayout(Buffer.from("ab")),
      [2],
      /binary BYTES data of 6 bytes cannot hold 2 elements/,
    ],
    [
      "claims more bytes than there are",
      Buffer.concat([Buffer.from([9, 0, 0, 0]), Buffer.from("abc")]),
      [1],
      /element 0 claims 9 bytes, past the data's end/,
    ],
    [
      "has bytes after its elements",
      Buffer.concat([bytesLayout(Buffer.from("ab")), Buffer.from([1])]),
      [1],
      /1 bytes after its 1 elements/,
    ],
    ["is not UTF-8", bytesLayout(Buffer.from([0xff, 0xfe])), [1], /element 0 is not UTF-8 text/],
  ])("BYTES data that %s is refused", (_what, bytes, shape, message) => {
    expect(() => valuesFromBytes("s", "BYTES", shape as number[], bytes as Uint8Array)).toThrow(message);
  });

  it("every fixed-size datatype the server accepts has a binary layout", () => {
    const covered = new Set(FIXED.map(([d]) => d));
    const all = Object.keys(DATATYPE_INFO).filter((d) => d !== "BYTES");
    expect(all.filter((d) => !covered.has(d as Datatype))).toEqual([]);
  });
});
