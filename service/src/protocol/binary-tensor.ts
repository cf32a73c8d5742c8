import type { Datatype, TensorValues } from "../contract/tensor.js";
import { Errors } from "../errors.js";
import { DATATYPE_INFO } from "../runtime/datatypes.js";
import { elementCount } from "./tensor-data.js";

/**
 * The binary tensor data extension (Triton's `binary_tensor_data`, which tritonclient and the
 * kserve client use by default): a tensor's data travels as raw bytes after the JSON header,
 * sized by `parameters.binary_data_size`, instead of as a JSON array. Fixed-size types are
 * little-endian, row-major; BOOL is one byte (0 or 1) per element; BYTES is each element as a
 * 4-byte little-endian length and then its bytes. Saves JSON number parsing and printing, which
 * dominates the cost of large tensors.
 *
 * Typed arrays are copied into their own store: a slice of the request buffer may sit at an
 * offset the element size does not divide, and the store outlives the request in a batch. A
 * caller that owns the bytes (they belong to this request alone and nothing writes them again)
 * may let an aligned slice become the store itself: a large tensor is then neither copied nor
 * allocated twice, which for megabytes also spares the garbage collector (V8 collects after a
 * given amount of new ArrayBuffer memory). (Node runs only on little-endian CPUs, so the bytes
 * are the typed array's own layout.)
 */

type FixedStore = Exclude<TensorValues, string[]>;
type StoreType = {
  BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): FixedStore;
};

/** The typed array of each fixed-size datatype (BOOL: one byte; FP16: two, its bits). */
const STORE_TYPES: Readonly<Partial<Record<Datatype, StoreType>>> = Object.freeze(
  Object.fromEntries(
    Object.entries(DATATYPE_INFO)
      .filter(([dt]) => dt !== "BYTES")
      .map(([dt, info]) => [dt, (info.alloc(0) as FixedStore).constructor as unknown as StoreType]),
  ),
);

// fatal: an ONNX string tensor holds text, so bytes that are not UTF-8 are refused, not mangled.
const utf8 = new TextDecoder("utf-8", { fatal: true });

function bytesElements(name: string, count: number, bytes: Uint8Array): string[] {
  // Every element takes at least its 4-byte length: more elements than that cannot be there.
  if (count > bytes.length / 4) {
    throw Errors.shapeMismatch(
      name,
      `binary BYTES data of ${bytes.length} bytes cannot hold ${count} elements (4 bytes of length each, at least)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<string>(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) {
      throw Errors.shapeMismatch(name, `binary BYTES data ends before element ${i} of ${count}`);
    }
    const length = view.getUint32(at, true);
    at += 4;
    if (at + length > bytes.length) {
      throw Errors.shapeMismatch(
        name,
        `binary BYTES element ${i} claims ${length} bytes, past the data's end`,
      );
    }
    try {
      out[i] = utf8.decode(bytes.subarray(at, at + length));
    } catch {
      throw Errors.invalidRequest(`input "${name}": binary BYTES element ${i} is not UTF-8 text`);
    }
    at += length;
  }
  if (at !== bytes.length) {
    throw Errors.shapeMismatch(
      name,
      `binary BYTES data has ${bytes.length - at} bytes after its ${count} elements`,
    );
  }
  return out;
}

/** The tensor store for `bytes`, checked against the datatype and shape; `owned`: see above. */
export function valuesFromBytes(
  name: string,
  datatype: Datatype,
  shape: readonly number[],
  bytes: Uint8Array,
  owned = false,
): TensorValues {
  const count = elementCount(shape);
  if (datatype === "BYTES") return bytesElements(name, count, bytes);
  const Store = STORE_TYPES[datatype] as StoreType;
  // Compared before anything is allocated: a shape may ask for more than memory holds.
  const needed = count * Store.BYTES_PER_ELEMENT;
  if (bytes.length !== needed) {
    throw Errors.shapeMismatch(
      name,
      `binary_data_size is ${bytes.length} bytes where ${datatype} shape [${shape.join(", ")}] needs ${needed}`,
    );
  }
  let store: FixedStore;
  if (owned && bytes.byteOffset % Store.BYTES_PER_ELEMENT === 0) {
    store = new Store(bytes.buffer, bytes.byteOffset, count);
  } else {
    store = DATATYPE_INFO[datatype].alloc(count) as FixedStore;
    new Uint8Array(store.buffer).set(bytes);
  }
  if (datatype === "BOOL") {
    const bad = (store as Uint8Array).findIndex((b) => b > 1);
    if (bad >= 0) {
      throw Errors.invalidRequest(
        `input "${name}": binary BOOL element ${bad} is byte ${(store as Uint8Array)[bad]} (must be 0 or 1)`,
      );
    }
  }
  return store;
}

/** A tensor's data in the extension's layout; typed arrays are viewed, not copied. */
export function tensorBytes(datatype: Datatype, values: TensorValues): Uint8Array {
  if (datatype !== "BYTES") {
    const typed = values as FixedStore;
    return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  }
  const encoded = (values as string[]).map((s) => Buffer.from(s, "utf8"));
  const out = Buffer.allocUnsafe(encoded.reduce((n, b) => n + 4 + b.length, 0));
  let at = 0;
  for (const b of encoded) {
    out.writeUInt32LE(b.length, at);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  return out;
}
