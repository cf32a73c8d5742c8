import { describe, expect, it } from "vitest";
import type { Ratio } from "../lib/report.js";
import { medianRatios, summarise } from "../lib/rounds.js";
import { row } from "./support/rows.js";

describe("bench rounds", () => {
  it("shows per point the measurement with the median req/s, with the range over rounds", () => {
    const s = summarise([
      { rows: [row("echo", 100, 1, 11), row("ours", 90, 1)], raw: {} },
      { rows: [row("echo", 300, 2, 33), row("ours", 80, 2)], raw: {} },
      { rows: [row("echo", 200, 3, 22), row("ours", 70, 3)], raw: {} },
    ]);
    const echo = s.rows.find((r) => r.target === "echo");
    expect(echo?.rps).toBe(200);
    expect(echo?.p99).toBe(22); // the percentiles of that same measurement
    expect(echo?.rpsRange).toEqual([100, 300]);
    expect(s.rows.find((r) => r.target === "ours")?.round).toBe(2);
  });

  it("takes the median raw ORT rate per batch size", () => {
    const point = (batch: number, rowsPerSec: number) => ({ batch, rowsPerSec, runs: 10, msPerRun: 1 });
    const s = summarise([
      { rows: [], raw: { large: [point(1, 10), point(8, 50)] } },
      { rows: [], raw: { large: [point(1, 30), point(8, 70)] } },
      { rows: [], raw: { large: [point(1, 20), point(8, 90)] } },
    ]);
    expect(s.raw.large?.map((p) => p.rowsPerSec)).toEqual([20, 70]);
    expect(s.raw.large?.[1]?.msPerRun).toBeCloseTo((1000 * 8) / 70);
  });

  it("reports the median of per-round ratios, not the ratio of medians, with the range", () => {
    const ratio = (value: number | undefined): Ratio => ({
      label: "ours / echo",
      value,
      unit: "×",
      min: 0.85,
    });
    // Paired within each round: 0.5, 0.9, 1.0 → median 0.9 (medians of the parts would give 0.8).
    const r = medianRatios([[ratio(0.5)], [ratio(0.9)], [ratio(1.0)], [ratio(undefined)]]);
    expect(r[0]?.value).toBe(0.9);
    expect(r[0]?.range).toEqual([0.5, 1.0]);
    expect(medianRatios([[ratio(0.7)]])[0]).toEqual(ratio(0.7));
  });
});
