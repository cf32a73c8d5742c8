import type { Tensor } from "onnxruntime-node";

import type { Datatype, TensorValues } from "../contract/tensor.js";

type Info = Readonly<{
  ort: Tensor.Type;
  /** Allocates the backing store for n elements. */
  alloc: (n: number) => TensorValues;
  /** Element kind used by the JSON codec to check and convert values ("half": FP16 bits in a Uint16Array). */
  kind: "bool" | "int" | "bigint" | "float" | "half" | "string";
  min?: number;
  max?: number;
  bigMin?: bigint;
  bigMax?: bigint;
}>;

export const DATATYPE_INFO: Readonly<Record<Datatype, Info>> = Object.freeze({
  BOOL: { ort: "bool", alloc: (n) => new Uint8Array(n), kind: "bool" },
  UINT8: { ort: "uint8", alloc: (n) => new Uint8Array(n), kind: "int", min: 0, max: 255 },
  UINT16: { ort: "uint16", alloc: (n) => new Uint16Array(n), kind: "int", min: 0, max: 65535 },
  UINT32: { ort: "uint32", alloc: (n) => new Uint32Array(n), kind: "int", min: 0, max: 4294967295 },
  UINT64: {
    ort: "uint64",
    alloc: (n) => new BigUint64Array(n),
    kind: "bigint",
    bigMin: 0n,
    bigMax: 2n ** 64n - 1n,
  },
  INT8: { ort: "int8", alloc: (n) => new Int8Array(n), kind: "int", min: -128, max: 127 },
  INT16: { ort: "int16", alloc: (n) => new Int16Array(n), kind: "int", min: -32768, max: 32767 },
  INT32: { ort: "int32", alloc: (n) => new Int32Array(n), kind: "int", min: -2147483648, max: 2147483647 },
  INT64: {
    ort: "int64",
    alloc: (n) => new BigInt64Array(n),
    kind: "bigint",
    bigMin: -(2n ** 63n),
    bigMax: 2n ** 63n - 1n,
  },
  // onnxruntime-node takes and returns FP16 as raw bits in a Uint16Array (not Float16Array).
  FP16: { ort: "float16", alloc: (n) => new Uint16Array(n), kind: "half" },
  FP32: { ort: "float32", alloc: (n) => new Float32Array(n), kind: "float" },
  FP64: { ort: "float64", alloc: (n) => new Float64Array(n), kind: "float" },
  BYTES: { ort: "string", alloc: (n) => new Array<string>(n).fill(""), kind: "string" },
});

const FROM_ORT: Readonly<Record<string, Datatype>> = Object.freeze(
  Object.fromEntries(Object.entries(DATATYPE_INFO).map(([dt, info]) => [info.ort, dt as Datatype])),
);

/** Maps an ONNX Runtime tensor type ("float32", "int64", ...) to its protocol datatype. */
export function datatypeFromOrt(type: string): Datatype | undefined {
  return FROM_ORT[type];
}

export function isDatatype(s: string): s is Datatype {
  return Object.hasOwn(DATATYPE_INFO, s);
}
