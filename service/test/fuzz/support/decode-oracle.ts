import { expect } from "vitest";
import type { InferenceRequest } from "../../../src/contract/inference.js";
import type { TensorValues } from "../../../src/contract/tensor.js";
import { InfergateError } from "../../../src/errors.js";
import { HTTP_STATUS } from "../../../src/http/status.js";
import { CATALOGUED_4XX } from "./http.js";
import type { TypedTensor } from "./typed-target.js";

/**
 * The decoder-level oracle: calling a decoder directly, what comes out is either a decoded
 * request whose every tensor holds as many values as its shape says, or a catalogue error of a
 * kind the transports answer with a 4xx (http/status.ts). Anything else thrown (a TypeError, a
 * RangeError from a deep recursion, a plain Error) is what the routes would have answered 500.
 */
export type Outcome = { decoded: InferenceRequest } | { refused: InfergateError };

export function decodeOutcome(decode: () => InferenceRequest): Outcome {
  let decoded: InferenceRequest;
  try {
    decoded = decode();
  } catch (err) {
    if (!(err instanceof InfergateError))
      throw new Error(`the decoder threw a non-catalogue error: ${String(err)}`, { cause: err });
    expect(CATALOGUED_4XX.has(HTTP_STATUS[err.kind]), `kind ${err.kind}: ${err.message}`).toBe(true);
    expect(err.message.length).toBeGreaterThan(0);
    return { refused: err };
  }
  for (const t of decoded.inputs) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    expect(t.values.length, `input ${t.name} [${t.shape}] holds ${t.values.length} values`).toBe(count);
  }
  return { decoded };
}

/** Exactly the same values: typed stores byte for byte (so -0, rounding and 64-bit values count), strings as strings. */
function sameStore(got: TensorValues, want: TensorValues): boolean {
  if (Array.isArray(want))
    return Array.isArray(got) && got.length === want.length && got.every((s, i) => s === want[i]);
  if (Array.isArray(got) || got.constructor !== want.constructor) return false;
  const a = Buffer.from(got.buffer, got.byteOffset, got.byteLength);
  return a.equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength));
}

/** A valid request: decoded, each input with its name, datatype, shape and exact values, in order. */
export function expectDecodedAs(outcome: Outcome, inputs: readonly TypedTensor[]): void {
  if ("refused" in outcome) throw new Error(`a valid request was refused: ${outcome.refused.message}`);
  const got = outcome.decoded.inputs;
  expect(got.map((t) => [t.name, t.datatype, t.shape])).toEqual(
    inputs.map((t) => [t.name, t.datatype, t.shape]),
  );
  got.forEach((t, i) => {
    expect(sameStore(t.values, (inputs[i] as TypedTensor).store), `values of ${t.name}`).toBe(true);
  });
}
