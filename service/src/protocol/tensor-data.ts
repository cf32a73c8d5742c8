import type { Datatype, TensorValues } from "../contract/tensor.js";
import { Errors } from "../errors.js";
import { DATATYPE_INFO } from "../runtime/datatypes.js";

/** Product of dims; shapes are validated non-negative integers before this is called. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Flattens nested row-major data, checking it against the shape on the way: at each nesting level
 * an array of arrays must have as many entries as that dimension, and an array of values (fully
 * nested, or flat below some level) must hold exactly the elements the remaining dims need. So
 * ragged rows are refused instead of being run together into a tensor of the right total size.
 */
function flattenNested(
  name: string,
  shape: readonly number[],
  data: readonly unknown[],
  level: number,
  path: string,
  out: unknown[],
): void {
  if (data.length > 0 && Array.isArray(data[0])) {
    const dim = shape[level];
    if (level >= shape.length - 1 || data.length !== dim) {
      const what = level >= shape.length - 1 ? "values" : `${dim} entries`;
      throw Errors.shapeMismatch(
        name,
        `${path} nests deeper or wider than shape [${shape.join(", ")}] (expected ${what}, got ${data.length} arrays)`,
      );
    }
    for (let i = 0; i < data.length; i++) {
      const row = data[i];
      if (!Array.isArray(row)) {
        throw Errors.shapeMismatch(name, `${path}[${i}] is not an array like ${path}[0]`);
      }
      flattenNested(name, shape, row, level + 1, `${path}[${i}]`, out);
    }
    return;
  }
  let needed = 1;
  for (let d = level; d < shape.length; d++) needed *= shape[d] as number;
  if (data.length !== needed) {
    throw Errors.shapeMismatch(
      name,
      `${path} has ${data.length} elements where shape [${shape.join(", ")}] needs ${needed}`,
    );
  }
  for (const v of data) {
    if (Array.isArray(v)) throw Errors.shapeMismatch(name, `${path} mixes arrays and values`);
    out.push(v);
  }
}

/**
 * A bad element as the error message names it, in a few words whatever the element: an array or
 * an object is named by its kind, never printed, because printing one walks all of it (an array
 * nested 100,000 deep overflowed the stack, a 500; a wide one put all its elements in the 400).
 */
function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `string "${v.length > 20 ? `${v.slice(0, 20)}…` : v}"`;
  return `${typeof v} ${String(v)}`;
}

/**
 * Converts JSON tensor data (flat or nested row-major) into the typed store for `datatype`,
 * checking every element's type and range in the same single pass that copies it.
 */
export function toTensorValues(
  name: string,
  datatype: Datatype,
  shape: readonly number[],
  data: unknown[],
  /** The request field the data came from, for messages ("data" in V2, "instances" in V1). */
  field = "data",
): TensorValues {
  const count = elementCount(shape);
  let flat: readonly unknown[] = data;
  if (data.length > 0 && Array.isArray(data[0])) {
    const out: unknown[] = [];
    flattenNested(name, shape, data, 0, field, out);
    flat = out;
  }
  if (flat.length !== count) {
    throw Errors.shapeMismatch(
      name,
      `shape [${shape.join(", ")}] needs ${count} elements, data has ${flat.length}`,
    );
  }
  const info = DATATYPE_INFO[datatype];
  const values = info.alloc(count);
  const bad = (i: number, what: string) =>
    Errors.invalidTensorData(name, `element ${i} is ${describe(flat[i])}, expected ${what} for ${datatype}`);
  switch (info.kind) {
    case "float": {
      const store = values as Float32Array | Float64Array;
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== "number") throw bad(i, "a number");
        store[i] = v;
      }
      break;
    }
    case "half": {
      // Rounded to the nearest FP16 (ties to even); beyond ±65504 that is ±Infinity, as in numpy.
      const view = new DataView((values as Uint16Array).buffer);
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== "number") throw bad(i, "a number");
        view.setFloat16(i * 2, v, true);
      }
      break;
    }
    case "int": {
      const store = values as Int32Array;
      const min = info.min as number;
      const max = info.max as number;
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
          throw bad(i, `an integer in [${min}, ${max}]`);
        }
        store[i] = v;
      }
      break;
    }
    case "bigint": {
      const store = values as BigInt64Array | BigUint64Array;
      const min = info.bigMin as bigint;
      const max = info.bigMax as bigint;
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        // Integers beyond 2^53 cannot survive JSON numbers; accept them as decimal strings.
        let b: bigint;
        if (typeof v === "number" && Number.isSafeInteger(v)) b = BigInt(v);
        else if (typeof v === "string" && /^-?[0-9]{1,20}$/.test(v)) b = BigInt(v);
        else throw bad(i, "a safe integer or a decimal string");
        if (b < min || b > max) throw bad(i, `an integer in [${min}, ${max}]`);
        store[i] = b;
      }
      break;
    }
    case "bool": {
      const store = values as Uint8Array;
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== "boolean") throw bad(i, "true or false");
        store[i] = v ? 1 : 0;
      }
      break;
    }
    case "string": {
      const store = values as string[];
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== "string") throw bad(i, "a string");
        store[i] = v;
      }
      break;
    }
  }
  return values;
}

/**
 * Typed store → JSON text of its flat data array, the same bytes as
 * `JSON.stringify(fromTensorValues(datatype, values))` without building that array: the response
 * path writes every prediction's data, so numbers go straight from the typed store into the text.
 */
export function tensorDataJson(datatype: Datatype, values: TensorValues): string {
  const kind = DATATYPE_INFO[datatype].kind;
  if (kind === "float") {
    const v = values as Float32Array | Float64Array;
    // JSON has no NaN or Infinity (JSON.stringify writes null): rare, so the general path.
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return JSON.stringify(Array.from(v));
    return `[${v.join(",")}]`;
  }
  if (kind === "half") return JSON.stringify(halvesToNumbers(values as Uint16Array));
  if (kind === "int") return `[${(values as Int32Array).join(",")}]`;
  if (kind === "bigint") {
    const v = values as BigInt64Array;
    let text = "[";
    for (let i = 0; i < v.length; i++) text += i === 0 ? Number(v[i]) : `,${Number(v[i])}`;
    return `${text}]`;
  }
  if (kind === "bool") {
    const v = values as Uint8Array;
    let text = "[";
    for (let i = 0; i < v.length; i++) text += `${i === 0 ? "" : ","}${v[i] !== 0}`;
    return `${text}]`;
  }
  return JSON.stringify(values);
}

/** Typed store → JSON-ready array. 64-bit integers become numbers (exact up to 2^53). */
export function fromTensorValues(datatype: Datatype, values: TensorValues): (number | boolean | string)[] {
  const kind = DATATYPE_INFO[datatype].kind;
  if (kind === "bigint") {
    const src = values as BigInt64Array;
    const out = new Array<number>(src.length);
    for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
    return out;
  }
  if (kind === "bool") return Array.from(values as Uint8Array, (v) => v !== 0);
  if (kind === "string") return values as string[];
  if (kind === "half") return halvesToNumbers(values as Uint16Array);
  return Array.from(values as Float32Array);
}

/** FP16 bits → their values as numbers (exact: every FP16 value is a double). */
function halvesToNumbers(bits: Uint16Array): number[] {
  const view = new DataView(bits.buffer, bits.byteOffset, bits.byteLength);
  const out = new Array<number>(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = view.getFloat16(i * 2, true);
  return out;
}
