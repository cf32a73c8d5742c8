import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { sha256File } from "../../../service/src/repository/cache.js";
import { EvaluationInputError } from "./errors.js";

/**
 * A labelled evaluation set held as flat typed arrays: `features` is row-major rows × width and
 * keeps the exact JSON numbers (float64), so converting a batch to the model's input datatype is
 * done by the same code, on the same values, as the server's JSON decoding.
 */
export type Dataset = Readonly<{
  path: string;
  format: "jsonl" | "csv";
  sha256: string;
  rows: number;
  width: number;
  features: Float64Array;
  /** Class index per row (an index into the model's manifest `labels`). */
  labels: Int32Array;
}>;

/** A Float64Array that doubles as it fills, so large files never become a JS array of numbers. */
class Grow {
  buf = new Float64Array(1 << 14);
  length = 0;
  push(values: ArrayLike<number>): void {
    while (this.length + values.length > this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    for (let i = 0; i < values.length; i++) this.buf[this.length + i] = values[i] as number;
    this.length += values.length;
  }
}

function parseJsonLine(line: string, where: string): { features: number[]; label: number } {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (err) {
    throw new EvaluationInputError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const r = row as { features?: unknown; label?: unknown };
  if (!r || typeof r !== "object" || !Array.isArray(r.features)) {
    throw new EvaluationInputError(`${where}: expected {"features":[numbers],"label":int}`);
  }
  const bad = r.features.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
  if (bad >= 0) throw new EvaluationInputError(`${where}: features[${bad}] is not a finite number`);
  return { features: r.features as number[], label: r.label as number };
}

function parseCsvLine(line: string, where: string): { features: number[]; label: number } {
  const cells = line.split(",").map((c) => c.trim());
  const values = cells.map((c, i) => {
    const n = c === "" ? Number.NaN : Number(c);
    if (!Number.isFinite(n))
      throw new EvaluationInputError(`${where}: column ${i + 1} "${c}" is not a number`);
    return n;
  });
  return { features: values.slice(0, -1), label: values[values.length - 1] as number };
}

/**
 * Reads JSONL (`{"features":[...],"label":k}` per line, as models/repository/digits/*.jsonl) or,
 * for a `.csv` file, CSV with a header row whose last column is `label`. Every row must have the
 * same width and an integer label ≥ 0; errors name the file and line.
 */
export async function readDataset(path: string): Promise<Dataset> {
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile) throw new EvaluationInputError(`data file ${path} does not exist or is not a file`);
  const format = path.toLowerCase().endsWith(".csv") ? "csv" : "jsonl";
  const features = new Grow();
  const labels: number[] = [];
  let width = -1;
  let lineNo = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const raw of lines) {
    lineNo++;
    const line = raw.trim();
    if (line === "") continue;
    const where = `${path}:${lineNo}`;
    if (format === "csv" && lineNo === 1) {
      const header = line.split(",").map((c) => c.trim());
      if (header[header.length - 1] !== "label" || header.length < 2) {
        throw new EvaluationInputError(`${where}: the CSV header's last column must be "label"`);
      }
      width = header.length - 1;
      continue;
    }
    const row = format === "csv" ? parseCsvLine(line, where) : parseJsonLine(line, where);
    if (row.features.length === 0) throw new EvaluationInputError(`${where}: the row has no features`);
    if (width === -1) width = row.features.length;
    if (row.features.length !== width) {
      throw new EvaluationInputError(
        `${where}: ${row.features.length} features, but earlier rows have ${width}`,
      );
    }
    if (!Number.isInteger(row.label) || row.label < 0 || row.label > 2 ** 31 - 1) {
      throw new EvaluationInputError(
        `${where}: label ${JSON.stringify(row.label)} is not a class index (integer ≥ 0)`,
      );
    }
    features.push(row.features);
    labels.push(row.label);
  }
  if (labels.length === 0) throw new EvaluationInputError(`data file ${path} has no rows`);
  return {
    path,
    format,
    sha256: await sha256File(path),
    rows: labels.length,
    width,
    features: features.buf.slice(0, features.length),
    labels: Int32Array.from(labels),
  };
}
