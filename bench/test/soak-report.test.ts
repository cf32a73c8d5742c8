import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderSoak, type SoakResult, verdict } from "../lib/soak-report.js";

/**
 * The soak's verdict and report: growth is measured from the last warm-up window to the end, any
 * failed request fails it, and the committed bench/SOAK.md is what bench/SOAK.json renders to.
 */
const window = (at: number, rss: number, failed = 0) => ({
  at,
  rps: 100,
  p99: 1,
  non2xx: failed,
  errors: 0,
  rss,
});
const result = (windows: ReturnType<typeof window>[]): SoakResult => ({
  date: "2026-01-01T00:00:00Z",
  machine: "test",
  node: "v26",
  capacityRps: 200,
  fraction: 0.5,
  rate: 100,
  minutes: 2,
  warmupWindows: 2,
  windows,
  peakRss: 2 ** 30,
});

describe("soak verdict", () => {
  it("ignores warm-up growth and passes a flat resident set", () => {
    const v = verdict(result([window(30, 100), window(60, 200), window(90, 209), window(120, 209)]));
    expect(v).toMatchObject({ baselineRss: 200, finalRss: 209, failed: 0, pass: true });
    expect(v.growth).toBeCloseTo(0.045);
  });

  it("fails 5 % growth after warm-up, and any failed request", () => {
    expect(verdict(result([window(30, 100), window(60, 200), window(90, 210)])).pass).toBe(false);
    expect(verdict(result([window(30, 200), window(60, 200), window(90, 200, 1)])).pass).toBe(false);
  });

  it("bench/SOAK.md is what bench/SOAK.json renders to, and the committed run passed", () => {
    const committed = JSON.parse(readFileSync("bench/SOAK.json", "utf8")) as SoakResult;
    expect(readFileSync("bench/SOAK.md", "utf8")).toBe(renderSoak(committed));
    expect(committed.minutes).toBeGreaterThanOrEqual(10);
    expect(committed.fraction).toBe(0.5);
    expect(verdict(committed).pass).toBe(true);
  });
});
