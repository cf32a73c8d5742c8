/**
 * Tensors in the server's own terms, shared by every layer: the protocol's datatypes, a tensor's
 * declared signature, and a host tensor (datatype, shape, flat row-major values).
 */

/** Open Inference Protocol datatypes this server accepts. */
export const DATATYPES = [
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
  "BYTES",
] as const;
export type Datatype = (typeof DATATYPES)[number];

export type TypedArray =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/** A tensor's values: a typed array (FP16 as its bits in a Uint16Array), or strings for BYTES. */
export type TensorValues = TypedArray | string[];

/** A tensor in the server's own terms: protocol datatype, shape and a flat row-major store. */
export type HostTensor = { name: string; datatype: Datatype; shape: number[]; values: TensorValues };

/** A declared input or output: its name, datatype and shape (-1 for a dynamic dimension). */
export type TensorSpec = { name: string; datatype: Datatype; shape: number[] };

/** A model's declared inputs and outputs. */
export type Signature = Readonly<{ inputs: readonly TensorSpec[]; outputs: readonly TensorSpec[] }>;
