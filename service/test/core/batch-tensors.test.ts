import { describe, expect, it } from "vitest";
import {
  DATATYPES,
  type Datatype,
  type HostTensor,
  type TensorValues,
  type TypedArray,
} from "../../src/contract/tensor.js";
import { mergeRows, splitRows } from "../../src/core/batch-tensors.js";
import { DATATYPE_INFO } from "../../src/runtime/datatypes.js";

/** mulberry32: a small seeded PRNG, so every run draws the same "random" cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Element `i` of a tensor tagged `tag`, valid for the datatype and distinct across tags. */
function element(datatype: Datatype, tag: number, i: number): number | bigint | string {
  const kind = DATATYPE_INFO[datatype].kind;
  if (kind === "bool") return (tag + i) % 2;
  if (kind === "int") return (tag * 7 + i) % 100;
  // Beyond 2^53, where a detour through Number would lose the low bits.
  if (kind === "bigint") return (datatype === "INT64" ? -(2n ** 62n) : 2n ** 63n) + BigInt(tag * 1000 + i);
  if (kind === "float") return tag + i / 8;
  return `t${tag}-${i}`;
}

function valuesOf(datatype: Datatype, count: number, tag: number): TensorValues {
  const values = DATATYPE_INFO[datatype].alloc(count);
  for (let i = 0; i < count; i++) (values as unknown[])[i] = element(datatype, tag, i);
  return values;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function tensor(name: string, datatype: Datatype, shape: number[], tag: number): HostTensor {
  return { name, datatype, shape, values: valuesOf(datatype, size(shape), tag) };
}

/** A comparable form: typed-array class and plain elements (BigInts stay exact). */
function plain(t: HostTensor) {
  return {
    name: t.name,
    datatype: t.datatype,
    shape: [...t.shape],
    store: Array.isArray(t.values) ? "Array" : t.values.constructor.name,
    values: Array.from(t.values as ArrayLike<unknown>),
  };
}

const storeClass = (datatype: Datatype) => {
  const v = DATATYPE_INFO[datatype].alloc(0);
  return Array.isArray(v) ? "Array" : v.constructor.name;
};

describe("mergeRows", () => {
  it("stacks requests of 1, 3 and 2 rows along the first dim, in request order", () => {
    const merged = mergeRows([
      [{ name: "x", datatype: "FP32", shape: [1, 2], values: Float32Array.from([1, 2]) }],
      [{ name: "x", datatype: "FP32", shape: [3, 2], values: Float32Array.from([3, 4, 5, 6, 7, 8]) }],
      [{ name: "x", datatype: "FP32", shape: [2, 2], values: Float32Array.from([9, 10, 11, 12.5]) }],
    ]);
    expect(merged).toHaveLength(1);
    const [x] = merged as [HostTensor];
    expect([x.name, x.datatype, x.shape]).toEqual(["x", "FP32", [6, 2]]);
    expect(x.values).toBeInstanceOf(Float32Array);
    expect(Array.from(x.values as Float32Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.5]);
  });

  it.each(DATATYPES)("keeps %s values exact in the datatype's own store", (datatype) => {
    const a = tensor("x", datatype, [1, 3], 1);
    const b = tensor("x", datatype, [2, 3], 2);
    const [x] = mergeRows([[a], [b]]) as [HostTensor];
    expect(plain(x)).toEqual({
      name: "x",
      datatype,
      shape: [3, 3],
      store: storeClass(datatype),
      values: [...Array.from(a.values as ArrayLike<unknown>), ...Array.from(b.values as ArrayLike<unknown>)],
    });
  });

  it("merges INT64 beyond 2^53 and BYTES strings element for element", () => {
    const [ids, text] = mergeRows([
      [
        { name: "id", datatype: "INT64", shape: [1], values: BigInt64Array.from([9007199254740993n]) },
        { name: "text", datatype: "BYTES", shape: [1], values: ["héllo"] },
      ],
      [
        {
          name: "id",
          datatype: "INT64",
          shape: [2],
          values: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]),
        },
        { name: "text", datatype: "BYTES", shape: [2], values: ["", "a,b"] },
      ],
    ]) as [HostTensor, HostTensor];
    expect(ids.values).toBeInstanceOf(BigInt64Array);
    expect(Array.from(ids.values as BigInt64Array)).toEqual([
      9007199254740993n,
      -(2n ** 63n),
      2n ** 63n - 1n,
    ]);
    expect(ids.shape).toEqual([3]);
    expect(Array.isArray(text.values)).toBe(true);
    expect(text.values).toEqual(["héllo", "", "a,b"]);
    expect(text.shape).toEqual([3]);
  });

  it("stacks multi-dim rows and keeps every input, in signature order", () => {
    const r1 = [tensor("image", "FP64", [2, 2, 3], 1), tensor("mask", "BOOL", [2, 3], 1)];
    const r2 = [tensor("image", "FP64", [1, 2, 3], 2), tensor("mask", "BOOL", [1, 3], 2)];
    const [image, mask] = mergeRows([r1, r2]) as [HostTensor, HostTensor];
    expect([image.name, image.shape, mask.name, mask.shape]).toEqual(["image", [3, 2, 3], "mask", [3, 3]]);
    expect(Array.from(image.values as Float64Array)).toEqual([
      ...Array.from(r1[0]?.values as Float64Array),
      ...Array.from(r2[0]?.values as Float64Array),
    ]);
    expect(Array.from(mask.values as Uint8Array)).toEqual([1, 0, 1, 0, 1, 0, 0, 1, 0]);
  });

  it("copies into a new store: the requests' tensors are neither aliased nor changed", () => {
    const a = tensor("x", "INT32", [2, 2], 1);
    const before = Array.from(a.values as Int32Array);
    const [x] = mergeRows([[a], [tensor("x", "INT32", [1, 2], 2)]]) as [HostTensor];
    expect((x.values as Int32Array).buffer).not.toBe((a.values as Int32Array).buffer);
    (x.values as Int32Array)[0] = -1;
    expect(Array.from(a.values as Int32Array)).toEqual(before);
  });

  it("reads requests that are views into a larger buffer (e.g. split outputs) at their offset", () => {
    const backing = Float32Array.from([0, 0, 1, 2, 3, 4, 0, 0]);
    const view = backing.subarray(2, 6);
    const [x] = mergeRows([
      [{ name: "x", datatype: "FP32", shape: [2, 2], values: view }],
      [{ name: "x", datatype: "FP32", shape: [1, 2], values: Float32Array.from([5, 6]) }],
    ]) as [HostTensor];
    expect(Array.from(x.values as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("splitRows", () => {
  it("gives each request exactly its rows, as views over the batched output", () => {
    const out: HostTensor = {
      name: "probabilities",
      datatype: "FP32",
      shape: [6, 2],
      values: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    };
    const parts = splitRows([out], [1, 3, 2]);
    expect(parts.map((p) => p.map(plain))).toEqual([
      [{ name: "probabilities", datatype: "FP32", shape: [1, 2], store: "Float32Array", values: [1, 2] }],
      [
        {
          name: "probabilities",
          datatype: "FP32",
          shape: [3, 2],
          store: "Float32Array",
          values: [3, 4, 5, 6, 7, 8],
        },
      ],
      [
        {
          name: "probabilities",
          datatype: "FP32",
          shape: [2, 2],
          store: "Float32Array",
          values: [9, 10, 11, 12],
        },
      ],
    ]);
    const views = parts.map((p) => p[0]?.values as Float32Array);
    for (const v of views) expect(v.buffer).toBe((out.values as Float32Array).buffer);
    expect(views.map((v) => v.byteOffset)).toEqual([0, 8, 32]);
    // A view, not a copy: a write through the part shows in the batched output.
    (views[1] as Float32Array)[0] = -3;
    expect((out.values as Float32Array)[2]).toBe(-3);
  });

  it("splits 64-bit integer outputs as views too, without losing precision", () => {
    const values = BigInt64Array.from([2n ** 62n + 1n, 5n, -(2n ** 63n)]);
    const parts = splitRows([{ name: "label", datatype: "INT64", shape: [3], values }], [2, 1]);
    const [a, b] = parts.map((p) => p[0]?.values as BigInt64Array) as [BigInt64Array, BigInt64Array];
    expect([Array.from(a), Array.from(b)]).toEqual([[2n ** 62n + 1n, 5n], [-(2n ** 63n)]]);
    expect(a.buffer).toBe(values.buffer);
    expect(b.buffer).toBe(values.buffer);
    expect([a.byteOffset, b.byteOffset]).toEqual([0, 16]);
    expect(parts.map((p) => p[0]?.shape)).toEqual([[2], [1]]);
  });

  it("slices string (BYTES) outputs into independent arrays", () => {
    const values = ["a", "b", "c", "d", "e", "f"];
    const parts = splitRows([{ name: "tags", datatype: "BYTES", shape: [3, 2], values }], [2, 1]);
    const [a, b] = parts.map((p) => p[0]?.values as string[]) as [string[], string[]];
    expect([a, b]).toEqual([
      ["a", "b", "c", "d"],
      ["e", "f"],
    ]);
    expect(parts.map((p) => p[0]?.shape)).toEqual([
      [2, 2],
      [1, 2],
    ]);
    a[0] = "changed";
    expect(values[0]).toBe("a");
  });

  it("gives every request all outputs, in output order, with multi-dim rows", () => {
    const parts = splitRows(
      [
        tensor("label", "INT64", [3], 1),
        tensor("scores", "FP32", [3, 2, 2], 2),
        tensor("ok", "BOOL", [3, 1], 3),
      ],
      [2, 1],
    );
    expect(parts.map((p) => p.map((t) => [t.name, t.shape]))).toEqual([
      [
        ["label", [2]],
        ["scores", [2, 2, 2]],
        ["ok", [2, 1]],
      ],
      [
        ["label", [1]],
        ["scores", [1, 2, 2]],
        ["ok", [1, 1]],
      ],
    ]);
    expect(Array.from(parts[1]?.[1]?.values as Float32Array)).toEqual([3, 3.125, 3.25, 3.375]);
    expect(Array.from(parts[1]?.[2]?.values as Uint8Array)).toEqual([1]);
  });

  it("gives the single request of an unbatched run the whole output", () => {
    const out = tensor("y", "UINT16", [4, 3], 5);
    const [[only]] = splitRows([out], [4]) as [[HostTensor]];
    expect(plain(only)).toEqual(plain(out));
    expect((only.values as Uint16Array).buffer).toBe((out.values as Uint16Array).buffer);
  });

  it.each([
    [[5, 2], [2, 2], 'output "probabilities" has 5 rows for a batch of 4'],
    [[3, 2], [2, 2], 'output "probabilities" has 3 rows for a batch of 4'],
    [[2, 2], [1], 'output "probabilities" has 2 rows for a batch of 1'],
    [[], [1], 'output "probabilities" has undefined rows for a batch of 1'],
  ])("refuses an output of shape %j for requests of %j rows", (shape, rowsPer, message) => {
    const out = tensor("probabilities", "FP32", shape, 1);
    expect(() => splitRows([out], rowsPer)).toThrow(new Error(message));
  });

  it("refuses a mismatched output even after a matching one", () => {
    const good = tensor("label", "INT64", [4], 1);
    const bad = tensor("probabilities", "FP32", [5, 2], 1);
    expect(() => splitRows([good, bad], [1, 3])).toThrow(
      new Error('output "probabilities" has 5 rows for a batch of 4'),
    );
  });
});

describe("mergeRows then splitRows (seeded random cases)", () => {
  const random = prng(20240611);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;

  type Case = { rowsPer: number[]; requests: HostTensor[][] };
  const cases: Case[] = [];
  for (let c = 0; c < 200; c++) {
    const signature = Array.from({ length: int(1, 3) }, (_, j) => ({
      name: `in${j}`,
      datatype: pick(DATATYPES),
      rowShape: Array.from({ length: int(0, 2) }, () => int(1, 3)),
    }));
    const rowsPer = Array.from({ length: int(1, 6) }, () => int(1, 4));
    const requests = rowsPer.map((rows) =>
      signature.map((s): HostTensor => {
        const shape = [rows, ...s.rowShape];
        const values = DATATYPE_INFO[s.datatype].alloc(size(shape));
        for (let i = 0; i < values.length; i++)
          (values as unknown[])[i] = element(s.datatype, int(0, 1e6), i);
        return { name: s.name, datatype: s.datatype, shape, values };
      }),
    );
    cases.push({ rowsPer, requests });
  }

  it("draws varied cases (several datatypes, request counts and row shapes)", () => {
    const datatypes = new Set(cases.flatMap((c) => c.requests[0]?.map((t) => t.datatype)));
    expect(datatypes.size).toBe(DATATYPES.length);
    expect(new Set(cases.map((c) => c.rowsPer.length)).size).toBe(6);
    expect(new Set(cases.map((c) => c.requests[0]?.[0]?.shape.length)).size).toBe(3);
  });

  it("splitRows(mergeRows(requests)) gives every request back exactly", () => {
    for (const { rowsPer, requests } of cases) {
      const merged = mergeRows(requests);
      const total = rowsPer.reduce((a, b) => a + b, 0);
      expect(merged.map((t) => t.shape[0])).toEqual(merged.map(() => total));
      const back = splitRows(merged, rowsPer);
      expect(back.map((r) => r.map(plain))).toEqual(requests.map((r) => r.map(plain)));
      for (const [j, t] of merged.entries()) {
        if (Array.isArray(t.values)) continue;
        for (const part of back)
          expect(((part[j] as HostTensor).values as TypedArray).buffer).toBe(t.values.buffer);
      }
    }
  });

  it("mergeRows(splitRows(batch)) gives the batch back exactly", () => {
    for (const { rowsPer, requests } of cases) {
      const merged = mergeRows(requests);
      expect(mergeRows(splitRows(merged, rowsPer)).map(plain)).toEqual(merged.map(plain));
    }
  });
});
