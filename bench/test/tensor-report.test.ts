import { describe, expect, it } from "vitest";
import type { LoadResult } from "../lib/load.js";
import { computeRatios } from "../lib/ratios.js";
import { markdown } from "../lib/report.js";
import type { BenchResult } from "../lib/result.js";
import {
  medianColdStart,
  summariseTensors,
  type TensorProtocol,
  type TensorRound,
  tensorMarkdown,
} from "../lib/tensor-report.js";
import { row } from "./support/rows.js";

/**
 * Issue #25's rows: large tensors per protocol beside raw ORT and a cold start beside its
 * download, summarised over rounds like every other point, their ratios computed within each
 * round, and every ratio shown beside the day's HTTP floor.
 */
function point(protocol: TensorProtocol, rps: number, round: number) {
  const load: LoadResult = {
    rps,
    p50: 1000 / rps,
    p90: 1000 / rps,
    p99: 1000 / rps,
    max: 1000 / rps,
    ok: 10,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    seconds: 3,
    cpu: { server: 1, load: 0.1, other: 0 },
  };
  return { protocol, connections: 1, bodyBytes: 4_816_896, round, ...load };
}
const raw = (msPerRun: number) => [{ batch: 8, rowsPerSec: (8 * 1000) / msPerRun, runs: 100, msPerRun }];
const round = (
  n: number,
  json: number,
  binary: number,
  grpc: number,
  floor: number,
  rawMs: number,
): TensorRound => ({
  rows: [
    point("json", json, n),
    point("binary", binary, n),
    point("grpc", grpc, n),
    point("floor", floor, n),
  ],
  raw: raw(rawMs),
});

describe("large tensors and cold start in the report", () => {
  const rounds = [round(1, 4, 100, 50, 400, 5), round(2, 5, 120, 60, 500, 4), round(3, 3, 80, 40, 300, 6)];

  it("shows per protocol the round with the median req/s and its range, raw ORT's median rate", () => {
    const s = summariseTensors(rounds);
    const binary = s.rows.find((r) => r.protocol === "binary");
    expect(binary?.rps).toBe(100);
    expect(binary?.round).toBe(1);
    expect(binary?.rpsRange).toEqual([80, 120]);
    expect(s.raw[0]?.msPerRun).toBeCloseTo(5, 10);
  });

  it("takes the cold start with the median time to ready", () => {
    const m = medianColdStart([
      { downloadMs: 500, readyMs: 3000, loadMs: 2000 },
      { downloadMs: 400, readyMs: 2000, loadMs: 1500 },
      { downloadMs: 900, readyMs: 9000, loadMs: undefined },
    ]);
    expect(m?.readyMs).toBe(3000);
  });

  it("computes the targets within each round and states the HTTP floor beside every ratio", () => {
    const res: BenchResult = {
      date: "d",
      machine: "m",
      cpus: 2,
      loadavg: { before: [0, 0, 0], after: [0, 0, 0] },
      server: "s",
      seconds: 3,
      warmupSeconds: 2,
      serverCpus: "0",
      loadCpus: "1",
      concurrencies: [64],
      models: { small: "small" },
      rows: [row("node-echo", 40_000, 1)],
      raw: {},
      tensors: { title: "t", shape: [8, 3, 224, 224], ...summariseTensors(rounds) },
      coldStart: {
        title: "c",
        artifactBytes: 1e8,
        rounds: rounds.map(() => ({ downloadMs: 500, readyMs: 2200, loadMs: 1500 })),
      },
      rounds: rounds.map((tensors, i) => ({
        rows: [row("node-echo", 40_000, i + 1)],
        raw: {},
        tensors,
        coldStart: { downloadMs: 500, readyMs: 2000 + 200 * i, loadMs: 1500 },
      })),
    };
    const ratios = computeRatios(res);
    const value = (start: string) => ratios.find((r) => r.label.startsWith(start));
    // binary / JSON: 25×, 24×, 26.7× in the rounds.
    expect(value("large tensors c=1: binary tensor data / JSON")?.value).toBeCloseTo(25, 10);
    // binary ms per request / raw ms per run: 10/5, 8.33/4, 12.5/6 → 2, 2.083, 2.083.
    expect(value("large tensors c=1: binary time per request")?.value).toBeCloseTo(25 / 12, 10);
    // floor 2.5 ms + raw 5 ms over raw 5 ms in round 1, the median of 1.5, 1.5, 1.556.
    expect(value("ceiling of large tensors binary")?.value).toBeCloseTo(1.5, 10);
    expect(value("cold start")?.value).toBe(1700);
    const md = markdown({ header: [], rows: res.rows, raw: {}, ratios, modelTitle: (m) => m });
    const lines = md
      .split("\n")
      .filter((l) => l.startsWith("| large tensors") || l.startsWith("| cold start"));
    expect(lines.length).toBe(5);
    for (const l of lines) expect(l.endsWith("| 40000 req/s |")).toBe(true);
    expect(tensorMarkdown(res.tensors, res.coldStart).join("\n")).toContain(
      "| 500 ms | 2200 ms | 1700 ms | 1500 ms |",
    );
  });
});
