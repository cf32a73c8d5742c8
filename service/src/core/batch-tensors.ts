import type { HostTensor, TypedArray } from "../contract/tensor.js";
import { DATATYPE_INFO } from "../runtime/datatypes.js";

function rowSize(t: HostTensor): number {
  let n = 1;
  for (let d = 1; d < t.shape.length; d++) n *= t.shape[d] as number;
  return n;
}

/**
 * Stacks the inputs of several requests along the first (batch) dimension. All requests have
 * the same input names, datatypes and non-batch dims (the batcher's key guarantees it).
 */
export function mergeRows(requests: readonly (readonly HostTensor[])[]): HostTensor[] {
  const first = requests[0] as readonly HostTensor[];
  return first.map((template, j) => {
    const width = rowSize(template);
    let rows = 0;
    for (const r of requests) rows += (r[j] as HostTensor).shape[0] as number;
    const values = DATATYPE_INFO[template.datatype].alloc(rows * width);
    let offset = 0;
    for (const r of requests) {
      const part = (r[j] as HostTensor).values;
      if (Array.isArray(values)) {
        for (let i = 0; i < part.length; i++) values[offset + i] = (part as string[])[i] as string;
      } else {
        (values as TypedArray & { set(a: ArrayLike<number | bigint>, o: number): void }).set(
          part as TypedArray,
          offset,
        );
      }
      offset += part.length;
    }
    return {
      name: template.name,
      datatype: template.datatype,
      shape: [rows, ...template.shape.slice(1)],
      values,
    };
  });
}

/** Cuts batched outputs back into per-request outputs of `rowsPer[i]` rows each (views, no copies). */
export function splitRows(outputs: readonly HostTensor[], rowsPer: readonly number[]): HostTensor[][] {
  let total = 0;
  for (const rows of rowsPer) total += rows;
  const parts: HostTensor[][] = rowsPer.map(() => []);
  for (const out of outputs) {
    if (out.shape[0] !== total) {
      throw new Error(`output "${out.name}" has ${out.shape[0]} rows for a batch of ${total}`);
    }
    const width = rowSize(out);
    // The non-batch dims once per output; each request's shape is its row count and these.
    const tail = out.shape.slice(1);
    let row = 0;
    for (let i = 0; i < rowsPer.length; i++) {
      const rows = rowsPer[i] as number;
      const start = row * width;
      const end = (row + rows) * width;
      const values = Array.isArray(out.values)
        ? out.values.slice(start, end)
        : (out.values as TypedArray).subarray(start, end);
      (parts[i] as HostTensor[]).push({
        name: out.name,
        datatype: out.datatype,
        shape: tail.length === 1 ? [rows, tail[0] as number] : [rows, ...tail],
        values,
      });
      row += rows;
    }
  }
  return parts;
}
