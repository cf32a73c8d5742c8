import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Ratio, Row } from "../lib/report.js";

/**
 * Consistency check of bench/RESULTS.md's before/after table (issue #25): bench/ab/before.json
 * and bench/ab/after.json are the latest.json of the two side-by-side runs it quotes (the service
 * of 1b3621c and of 40eb530 under the same bench code), and every figure of that table must be
 * what those files hold, rounded as shown.
 */
type Run = { rows: Row[]; ratios: Ratio[] };
const load = (name: string) => JSON.parse(readFileSync(`bench/ab/${name}.json`, "utf8")) as Run;
const runs = [load("before"), load("after")];

const n = (v: number) => Math.round(v).toLocaleString("en-US");
const rps = (target: string) => (run: Run) => {
  const r = run.rows.find((x) => x.model === "small" && x.target === target && x.connections === 64);
  if (!r?.rpsRange) throw new Error(`no ${target} row with a range`);
  return `${n(r.rps)} (${n(r.rpsRange[0])}–${n(r.rpsRange[1])})`;
};
const ratio = (label: string, unit: string) => (run: Run) => {
  const r = run.ratios.find((x) => x.label === label);
  if (r?.value === undefined || !r.range) throw new Error(`no ratio "${label}" with a range`);
  const f = (v: number) => v.toFixed(2);
  return `${f(r.value)}${unit} (${f(r.range[0])}–${f(r.range[1])})`;
};

const TABLE: [string, (run: Run) => string][] = [
  ["HTTP floor: bare `node:http` echo req/s", rps("node-echo")],
  ["bare Fastify echo req/s", rps("echo")],
  ["infergate, batching on req/s", rps("infergate-on")],
  ["ours / Fastify echo req/s (within rounds)", ratio("small c=64, batching on: ours / echo req/s", "×")],
  ["infergate p99", ratio("small c=64, batching on: ours p99", " ms")],
  ["bare `node:http` echo p99", ratio("small c=64: echo (bare node:http) p99", " ms")],
];

describe("RESULTS.md's before/after table", () => {
  it("is what bench/ab/{before,after}.json measured", () => {
    const results = readFileSync("bench/RESULTS.md", "utf8");
    for (const [label, cell] of TABLE) {
      expect(results).toContain(`| ${label} | ${runs.map(cell).join(" | ")} |`);
    }
  });
});
