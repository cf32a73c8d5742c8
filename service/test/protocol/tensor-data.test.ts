import { describe, expect, it } from "vitest";
import { InfergateError } from "../../src/errors.js";
import { elementCount, fromTensorValues, toTensorValues } from "../../src/protocol/tensor-data.js";

describe("toTensorValues", () => {
  it("accepts flat and nested row-major data alike", () => {
    const flat = toTensorValues("x", "FP32", [2, 2], [1, 2, 3, 4]);
    const nested = toTensorValues(
      "x",
      "FP32",
      [2, 2],
      [
        [1, 2],
        [3, 4],
      ],
    );
    expect(flat).toBeInstanceOf(Float32Array);
    expect(Array.from(flat as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(Array.from(nested as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it("accepts data nested down to rows and flat below them", () => {
    const partly = toTensorValues(
      "x",
      "INT32",
      [2, 2, 2],
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
    );
    expect(Array.from(partly as Int32Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it.each([
    [
      "ragged rows of the right total",
      [2, 2],
      [[1, 2, 3], [4]],
      "data[0] has 3 elements where shape [2, 2] needs 2",
    ],
    [
      "a short last row",
      [2, 3],
      [
        [1, 2, 3],
        [4, 5],
      ],
      "data[1] has 2 elements where shape [2, 3] needs 3",
    ],
    [
      "too many rows",
      [2, 2],
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      "data nests deeper or wider than shape [2, 2] (expected 2 entries, got 3 arrays)",
    ],
    [
      "nesting deeper than the shape",
      [2],
      [[1], [2]],
      "data nests deeper or wider than shape [2] (expected values, got 2 arrays)",
    ],
    ["a value among rows", [2, 2], [[1, 2], 3], "data[1] is not an array like data[0]"],
    [
      "an array among values",
      [2, 2],
      [
        [1, [2]],
        [3, 4],
      ],
      "data[0] mixes arrays and values",
    ],
  ])("refuses %s, naming where", (_what, shape, data, message) => {
    expect(() => toTensorValues("x", "FP32", shape as number[], data as unknown[])).toThrow(
      expect.objectContaining({ kind: "invalid_argument", message: `input "x": ${message}` }),
    );
  });

  it.each([
    ["BOOL", [true, false], Uint8Array, [1, 0]],
    ["UINT8", [0, 255], Uint8Array, [0, 255]],
    ["UINT16", [0, 65535], Uint16Array, [0, 65535]],
    ["UINT32", [0, 4294967295], Uint32Array, [0, 4294967295]],
    ["INT8", [-128, 127], Int8Array, [-128, 127]],
    ["INT16", [-32768, 32767], Int16Array, [-32768, 32767]],
    ["INT32", [-5, 7], Int32Array, [-5, 7]],
    ["FP64", [0.1, -2.5], Float64Array, [0.1, -2.5]],
  ] as const)("converts %s", (dt, data, ctor, expected) => {
    const v = toTensorValues("x", dt, [2], [...data]);
    expect(v).toBeInstanceOf(ctor);
    expect(Array.from(v as Uint8Array)).toEqual(expected);
  });

  it("keeps 64-bit integers exact, from numbers or decimal strings", () => {
    const v = toTensorValues("x", "INT64", [3], [-1, "9007199254740993", 42]) as BigInt64Array;
    expect(Array.from(v)).toEqual([-1n, 9007199254740993n, 42n]);
    const u = toTensorValues("x", "UINT64", [1], ["18446744073709551615"]) as BigUint64Array;
    expect(u[0]).toBe(18446744073709551615n);
  });

  it("rounds FP16 numbers to the nearest half (ties to even), overflowing to ±Infinity as numpy does", () => {
    // 1.5, max 65504, least subnormal 2^-24, 2049 → 2048 (tie to even), 70000 → Infinity, -0
    const v = toTensorValues("x", "FP16", [6], [1.5, 65504, 2 ** -24, 2049, 70000, -0]);
    expect(v).toBeInstanceOf(Uint16Array);
    expect(Array.from(v as Uint16Array)).toEqual([0x3e00, 0x7bff, 0x0001, 0x6800, 0x7c00, 0x8000]);
    expect(() => toTensorValues("x", "FP16", [1], ["1"])).toThrow(
      /element 0 is string "1", expected a number for FP16/,
    );
  });

  it("takes strings for BYTES", () => {
    expect(toTensorValues("x", "BYTES", [2], ["a", "b"])).toEqual(["a", "b"]);
  });

  it.each([
    ["FP32", [2], [1], /shape \[2\] needs 2 elements, data has 1/],
    ["FP32", [1], ["1"], /element 0 is string "1", expected a number for FP32/],
    ["INT32", [1], [1.5], /expected an integer/],
    ["UINT8", [1], [256], /integer in \[0, 255\]/],
    ["INT8", [1], [-129], /integer in \[-128, 127\]/],
    ["BOOL", [1], [1], /expected true or false/],
    ["INT64", [1], [2 ** 60], /safe integer or a decimal string/],
    ["UINT64", [1], [-1], /integer in \[0,/],
    ["BYTES", [1], [3], /expected a string/],
    ["FP32", [1], [null], /element 0 is null/],
  ] as const)("rejects bad %s data %j with a 400 naming the element", (dt, shape, data, message) => {
    const err = (() => {
      try {
        toTensorValues("in0", dt, [...shape], [...data] as unknown[]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InfergateError);
    expect((err as InfergateError).kind).toBe("invalid_argument");
    expect((err as Error).message).toMatch(/in0/);
    expect((err as Error).message).toMatch(message);
  });

  // Found by the generated-input suite (service/test/fuzz, V2 JSON): flat data of 63 numbers and,
  // as the 64th element, an array nested 100,000 deep. Naming that element printed it whole,
  // recursing until the stack overflowed: a RangeError, answered 500 "inference failed".
  it("names an array or object element by its kind, not its contents (deep or wide: a short 400)", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const wide = new Array(100_000).fill(7);
    for (const [element, named] of [
      [deep, "an array of 1"],
      [wide, "an array of 100000"],
      [{ a: 1 }, "an object"],
    ] as const) {
      const err = (() => {
        try {
          toTensorValues("in0", "FP32", [1, 2], [0, element]);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(InfergateError);
      expect((err as Error).message).toBe(`input "in0": element 1 is ${named}, expected a number for FP32`);
    }
  });
});

describe("fromTensorValues", () => {
  it("turns typed stores into JSON-ready arrays", () => {
    expect(fromTensorValues("INT64", new BigInt64Array([3n, -2n]))).toEqual([3, -2]);
    expect(fromTensorValues("BOOL", new Uint8Array([1, 0]))).toEqual([true, false]);
    expect(fromTensorValues("FP32", new Float32Array([0.5]))).toEqual([0.5]);
    expect(fromTensorValues("FP16", new Uint16Array([0x3e00, 0x0001, 0xfc00]))).toEqual([
      1.5,
      2 ** -24,
      -Infinity,
    ]);
    expect(fromTensorValues("BYTES", ["a"])).toEqual(["a"]);
  });

  it("counts elements of a shape", () => {
    expect(elementCount([2, 3, 4])).toBe(24);
    expect(elementCount([])).toBe(1);
    expect(elementCount([0, 5])).toBe(0);
  });
});
