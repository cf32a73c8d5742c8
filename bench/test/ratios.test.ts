import { describe, expect, it } from "vitest";
import { computeRatios } from "../lib/ratios.js";
import type { BenchResult } from "../lib/result.js";
import { row } from "./support/rows.js";

const base: Omit<BenchResult, "rows" | "raw"> = {
  date: "2026-11-27T00:00:00.000Z",
  machine: "test",
  cpus: 2,
  loadavg: { before: [0, 0, 0], after: [0, 0, 0] },
  server: "test",
  seconds: 3,
  warmupSeconds: 2,
  serverCpus: "0",
  loadCpus: "1",
  concurrencies: [64],
  models: { small: "digits", large: "digits_large" },
};

describe("bench ratios", () => {
  it("states the targets' ceilings from the bare node:http echo measured in the same run", () => {
    const res: BenchResult = {
      ...base,
      rows: [
        row("node-echo", 10_000, 1, 18),
        row("echo", 8_000, 1),
        row("infergate-on", 6_800, 1),
        row("fastapi-1w", 2_000, 1),
        row("infergate-on", 2_500, 1, 40, "large"),
      ],
      raw: { large: [{ batch: 128, rowsPerSec: 7_500, runs: 10, msPerRun: 17 }] },
    };
    const value = (prefix: string) => computeRatios(res).find((r) => r.label.startsWith(prefix))?.value;
    expect(value("small c=64, batching on: ours / echo")).toBeCloseTo(0.85);
    expect(value("small c=64: echo (Fastify) / echo (bare node:http)")).toBeCloseTo(0.8);
    expect(value("small c=64: echo (bare node:http) p99")).toBe(18);
    // 8x FastAPI would need 16,000 req/s: above what node:http alone served.
    expect(value("ceiling of small ours / FastAPI 1 worker")).toBeCloseTo(5);
    // 133.3 µs of inference + 100 µs of HTTP per row: 4,286 rows/s, 0.571 of raw ORT's 7,500.
    expect(value("ceiling of large ours / raw ORT best batch")).toBeCloseTo(10_000 / 17_500);
    expect(value("large c=64, batching on: ours rows/s / raw ORT best batch")).toBeCloseTo(2_500 / 7_500);
  });
});
