// Request inputs from the model's validation data: one JSON object per line,
// {"features":[...numbers],"label":k}. Loaded once in the init context into a SharedArray
// (one read-only copy shared by every VU).
import { SharedArray } from "k6/data";

// Relative paths in open() resolve against this module, so the default works from any cwd.
const DATA_FILE = __ENV.DATA_FILE || "../../models/repository/digits/validation.jsonl";

export const rows = new SharedArray("validation rows", () => {
  const text = open(DATA_FILE);
  const out = [];
  let lineNo = 0;
  for (const line of text.split("\n")) {
    lineNo += 1;
    const t = line.trim();
    if (t === "") continue;
    let row;
    try {
      row = JSON.parse(t);
    } catch (err) {
      throw new Error(`${DATA_FILE}:${lineNo}: not JSON (${err})`);
    }
    if (!Array.isArray(row.features) || row.features.some((v) => typeof v !== "number")) {
      throw new Error(`${DATA_FILE}:${lineNo}: "features" must be an array of numbers`);
    }
    out.push(row.features);
  }
  if (out.length === 0) throw new Error(`${DATA_FILE}: no rows`);
  const width = out[0].length;
  if (out.some((f) => f.length !== width)) throw new Error(`${DATA_FILE}: rows differ in length`);
  return out;
});

export const dataFile = DATA_FILE;

/** `batch` consecutive rows starting at a position derived from `seq` (wraps around). */
export function batchAt(seq, batch) {
  const n = rows.length;
  const start = (seq * batch) % n;
  const out = [];
  for (let i = 0; i < batch; i++) out.push(rows[(start + i) % n]);
  return out;
}
