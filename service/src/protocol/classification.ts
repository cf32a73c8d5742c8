import type { HostTensor } from "../contract/tensor.js";
import { Errors } from "../errors.js";
import { DATATYPE_INFO } from "../runtime/datatypes.js";
import { fromTensorValues } from "./tensor-data.js";

/**
 * The classification extension (Triton's; tritonclient's `class_count`): an output requested
 * with `classification: k` comes back as a BYTES tensor of its k largest values per batch row,
 * largest first, each `"<value>:<index>"` or, where the model has labels for that output,
 * `"<value>:<index>:<label>"` (value with six decimals, as Triton writes it). A batched output
 * [batch, ...] gives [batch, k] (its per-row values taken flat), an unbatched one [k]; k beyond
 * the values there are is cut to their number, as in Triton.
 */
export function classifyOutputs(
  outputs: readonly HostTensor[],
  wanted: ReadonlyMap<string, number>,
  batched: boolean,
  labelsOf: (output: string) => readonly string[] | undefined,
): HostTensor[] {
  return outputs.map((t) => {
    const k = wanted.get(t.name);
    return k === undefined ? t : topK(t, k, batched, labelsOf(t.name));
  });
}

function topK(t: HostTensor, k: number, batched: boolean, labels: readonly string[] | undefined): HostTensor {
  const kind = DATATYPE_INFO[t.datatype].kind;
  if (kind === "string" || kind === "bool") {
    throw Errors.invalidRequest(
      `output "${t.name}": classification needs a numeric output, it is ${t.datatype}`,
    );
  }
  const values = fromTensorValues(t.datatype, t.values) as number[];
  const rows = batched && t.shape.length > 0 ? (t.shape[0] as number) : 1;
  const width = rows === 0 ? 0 : values.length / rows;
  const n = Math.min(k, width);
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const row = values.slice(r * width, (r + 1) * width);
    // Stable: equal values keep index order. NaN sorts last.
    const ranked = Array.from({ length: width }, (_, i) => i).sort(
      (a, b) => rank(row[b] as number) - rank(row[a] as number) || a - b,
    );
    for (let j = 0; j < n; j++) {
      const i = ranked[j] as number;
      const label = labels?.[i];
      out.push(`${(row[i] as number).toFixed(6)}:${i}${label === undefined ? "" : `:${label}`}`);
    }
  }
  return { name: t.name, datatype: "BYTES", shape: batched ? [rows, n] : [n], values: out };
}

const rank = (v: number) => (Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v);
