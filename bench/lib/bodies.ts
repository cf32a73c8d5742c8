import { readFileSync, writeFileSync } from "node:fs";

/**
 * The request bodies every load of the digits models sends (npm run bench, bench/soak.ts,
 * bench/profile.ts): one V2 JSON body per validation row (360), each one FP32 [1, 64] row, cycled
 * by every connection. Varied inputs give varied answers, as real traffic does: one repeated body
 * would let V8's number-string cache format the same probabilities for free.
 */
export const DIGITS_VALIDATION = "models/repository/digits/validation.jsonl";

/** The bodies, in the validation file's order. */
export function digitsBodies(): string[] {
  return readFileSync(DIGITS_VALIDATION, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const { features } = JSON.parse(line) as { features: number[] };
      return JSON.stringify({
        inputs: [{ name: "input", shape: [1, 64], datatype: "FP32", data: features }],
      });
    });
}

/**
 * Writes the bodies to `file`, one per line, and returns them: the `bodyFile` that
 * lib/load-worker.ts reads and cycles through on every connection.
 */
export function writeDigitsBodies(file: string): string[] {
  const bodies = digitsBodies();
  writeFileSync(file, `${bodies.join("\n")}\n`);
  return bodies;
}
