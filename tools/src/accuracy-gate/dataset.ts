import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { sha256File } from "../../../service/src/repository/cache.js";
import { EvaluationInputError } from "./errors.js";

/**
 * An evaluation set held as flat typed arrays: `features` is row-major rows × width and keeps the
 * exact JSON numbers (float64), so converting a batch to the model's input datatype is done by
 * the same code, on the same values, as the server's JSON decoding.
 */
type Rows = Readonly<{
  path: string;
  format: "jsonl" | "csv";
  sha256: string;
  rows: number;
  width: number;
  features: Float64Array;
}>;

/** A labelled set for classification: `{"features": [...], "label": k}` per row. */
export type Dataset = Rows &
  Readonly<{
    /** Class index per row (an index into the model's manifest `labels`). */
    labels: Int32Array;
  }>;

/** A set for regression: `{"features": [...], "target": y}` per row. */
export type RegressionDataset = Rows & Readonly<{ targets: Float64Array }>;

/** The column each row's answer is in, and what makes a value of it usable. */
type TargetColumn = Readonly<{ key: "label" | "target"; expected: string; valid: (v: unknown) => boolean }>;

const CLASS_INDEX: TargetColumn = {
  key: "label",
  expected: "is not a class index (integer ≥ 0)",
  valid: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2 ** 31 - 1,
};
const REAL_VALUE: TargetColumn = {
  key: "target",
  expected: "is not a finite number",
  valid: (v) => typeof v === "number" && Number.isFinite(v),
};

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

function parseJsonLine(line: string, where: string, key: string): { features: number[]; target: unknown } {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (err) {
    throw new EvaluationInputError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const r = row as Record<string, unknown> | null;
  if (!r || typeof r !== "object" || !Array.isArray(r.features)) {
    const value = key === "label" ? "int" : "number";
    throw new EvaluationInputError(`${where}: expected {"features":[numbers],"${key}":${value}}`);
  }
  const bad = r.features.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
  if (bad >= 0) throw new EvaluationInputError(`${where}: features[${bad}] is not a finite number`);
  return { features: r.features as number[], target: r[key] };
}

function parseCsvLine(line: string, where: string): { features: number[]; target: unknown } {
  const cells = line.split(",").map((c) => c.trim());
  const values = cells.map((c, i) => {
    const n = c === "" ? Number.NaN : Number(c);
    if (!Number.isFinite(n))
      throw new EvaluationInputError(`${where}: column ${i + 1} "${c}" is not a number`);
    return n;
  });
  return { features: values.slice(0, -1), target: values[values.length - 1] };
}

/** Reads the rows of a JSONL or CSV file whose answer column is `column`; errors name file and line. */
async function readRows(path: string, column: TargetColumn): Promise<Rows & { targets: number[] }> {
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile) throw new EvaluationInputError(`data file ${path} does not exist or is not a file`);
  const format = path.toLowerCase().endsWith(".csv") ? "csv" : "jsonl";
  const features = new Grow();
  const targets: number[] = [];
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
      if (header[header.length - 1] !== column.key || header.length < 2) {
        throw new EvaluationInputError(`${where}: the CSV header's last column must be "${column.key}"`);
      }
      width = header.length - 1;
      continue;
    }
    const row = format === "csv" ? parseCsvLine(line, where) : parseJsonLine(line, where, column.key);
    if (row.features.length === 0) throw new EvaluationInputError(`${where}: the row has no features`);
    if (width === -1) width = row.features.length;
    if (row.features.length !== width) {
      throw new EvaluationInputError(
        `${where}: ${row.features.length} features, but earlier rows have ${width}`,
      );
    }
    if (!column.valid(row.target)) {
      throw new EvaluationInputError(
        `${where}: ${column.key} ${JSON.stringify(row.target)} ${column.expected}`,
      );
    }
    features.push(row.features);
    targets.push(row.target as number);
  }
  if (targets.length === 0) throw new EvaluationInputError(`data file ${path} has no rows`);
  return {
    path,
    format,
    sha256: await sha256File(path),
    rows: targets.length,
    width,
    features: features.buf.slice(0, features.length),
    targets,
  };
}

/**
 * Reads JSONL (`{"features":[...],"label":k}` per line, as models/repository/digits/*.jsonl) or,
 * for a `.csv` file, CSV with a header row whose last column is `label`. Every row must have the
 * same width and an integer label ≥ 0; errors name the file and line.
 */
export async function readDataset(path: string): Promise<Dataset> {
  const { targets, ...rows } = await readRows(path, CLASS_INDEX);
  return { ...rows, labels: Int32Array.from(targets) };
}

/**
 * Reads a regression set: JSONL `{"features":[...],"target":y}` per line, or CSV whose last
 * column is `target`. R² compares errors with the targets' spread, so targets must vary.
 */
export async function readRegressionDataset(path: string): Promise<RegressionDataset> {
  const { targets, ...rows } = await readRows(path, REAL_VALUE);
  if (targets.every((t) => t === targets[0])) {
    throw new EvaluationInputError(
      `data file ${path}: every target is ${targets[0]} (${rows.rows} rows); R² needs targets that vary`,
    );
  }
  return { ...rows, targets: Float64Array.from(targets) };
}
