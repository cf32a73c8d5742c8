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

/** A request of the binary tensor data extension: JSON header, then the rows as FP32 bytes. */
export function binaryRequest(sample: readonly Row[], extra: Record<string, unknown> = {}) {
  const data = Buffer.from(new Float32Array(sample.flatMap((r) => r.features)).buffer);
  const header = Buffer.from(
    JSON.stringify({
      ...extra,
      inputs: [
        {
          name: "input",
          shape: [sample.length, 64],
          datatype: "FP32",
          parameters: { binary_data_size: data.length },
        },
      ],
    }),
  );
  return { payload: Buffer.concat([header, data]), headerLength: header.length };
}
