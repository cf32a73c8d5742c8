import fc from "fast-check";
import { expect } from "vitest";
import type { Outcome } from "./decode-oracle.js";
import type { startFuzzedService } from "./digits.js";
import { runParameters, Tally } from "./settings.js";

/**
 * The two properties every decoder's file runs, and the check that ends it, in one place: the
 * files differ in what they generate and send, not in how a run is counted and judged.
 */

/** One route-level request's answer, as the tally counts it. */
export type Answered = { valid: boolean; answer: string | number; message?: string };

/**
 * Sends `runs` generated requests through a whole route; `send` applies the per-request oracle
 * (a catalogued answer; the right outputs for a valid request) and says what came back. Then the
 * run must have meant something: valid requests answered `ok`, mutations reaching the answers in
 * `mutatedAnswers`, and more than `minChecks` different checks refusing them.
 */
export async function routeProperty<T>(opts: {
  label: string;
  cases: fc.Arbitrary<T>;
  send: (c: T) => Promise<Answered>;
  runs: number;
  ok: string | number;
  mutatedAnswers: readonly string[];
  minChecks: number;
}): Promise<void> {
  const tally = new Tally(opts.label);
  await fc.assert(
    fc.asyncProperty(opts.cases, async (c) => {
      const { valid, answer, message } = await opts.send(c);
      tally.add(valid ? "valid" : "mutated", answer, message);
    }),
    runParameters(opts.runs),
  );
  tally.print();
  expect(tally.total).toBeGreaterThanOrEqual(opts.runs);
  expect(tally.count("valid", opts.ok)).toBeGreaterThan(opts.runs / 5);
  expect(tally.answers("mutated")).toEqual(expect.arrayContaining([...opts.mutatedAnswers]));
  expect(tally.distinctChecks).toBeGreaterThan(opts.minChecks);
}

/**
 * Calls a decoder directly on `runs` generated requests; `decode` applies the decoder oracle and
 * says whether the request was a valid one. Every valid request must decode, and mutations must
 * reach the decoder's refusals, not only its happy path.
 */
export function decoderProperty<T>(opts: {
  label: string;
  cases: fc.Arbitrary<T>;
  decode: (c: T) => { valid: boolean; outcome: Outcome };
  runs: number;
}): void {
  const tally = new Tally(opts.label);
  fc.assert(
    fc.property(opts.cases, (c) => {
      const { valid, outcome } = opts.decode(c);
      const kind = valid ? "valid" : "mutated";
      if ("refused" in outcome) tally.add(kind, "refused", outcome.refused.message);
      else tally.add(kind, "decoded");
    }),
    runParameters(opts.runs),
  );
  tally.print();
  expect(tally.count("valid", "decoded")).toBe(tally.count("valid"));
  expect(tally.count("mutated", "refused")).toBeGreaterThan(opts.runs / 4);
}

/** After a run: ready, and not one error-level log line (a 5xx or an unhandled failure logs one). */
export async function expectStillServing(svc: Awaited<ReturnType<typeof startFuzzedService>>): Promise<void> {
  expect((await svc.app.inject("/v2/health/ready")).statusCode).toBe(200);
  expect(svc.errors, "error-level log lines during the run").toEqual([]);
}
