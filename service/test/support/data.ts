import { readFileSync } from "node:fs";
import { BUNDLED_REPOSITORY } from "./paths.js";

export type Row = { features: number[]; label: number };

/** The digits validation split shipped with the bundled model. */
export function validationRows(): Row[] {
  return readFileSync(`${BUNDLED_REPOSITORY}/digits/validation.jsonl`, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Row);
}

/** A V2 infer body for some rows of the digits model. */
export function inferBody(rows: readonly Row[], extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    inputs: [
      { name: "input", shape: [rows.length, 64], datatype: "FP32", data: rows.flatMap((r) => r.features) },
    ],
  };
}
