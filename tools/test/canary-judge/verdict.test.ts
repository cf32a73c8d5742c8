import { describe, expect, it } from "vitest";
import type { MetricResult } from "../../src/canary-judge/classify/types.js";
import { decide, exitCode } from "../../src/canary-judge/verdict.js";
import { judgement } from "../support/canary.js";

const J = judgement();

const result = (over: Partial<MetricResult>): MetricResult => ({
  name: "m",
  kind: "samples",
  unit: "number",
  direction: "increase",
  critical: false,
  weight: 10,
  class: "pass",
  passed: true,
  stable: { samples: 1000 },
  candidate: { samples: 1000 },
  reason: "r",
  ...over,
});

describe("decide: score, critical metrics, hard limits", () => {
  it("everything passing promotes with 100", () => {
    expect(decide([result({ weight: 30 }), result({ weight: 20 })], J)).toEqual({
      verdict: "promote",
      score: 100,
      reasons: [],
    });
  });
  it("scores by weight, leaving out metrics without data", () => {
    const rs = [
      result({ name: "a", weight: 30 }),
      result({ name: "b", weight: 20 }),
      result({ name: "c", weight: 10, class: "high", passed: false }),
      result({ name: "d", weight: 30 }),
      result({ name: "e", weight: 10, class: "nodata", passed: undefined }),
    ];
    const d = decide(rs, J);
    expect(d.score).toBe(88.9); // 80 / 90
    expect(d.verdict).toBe("hold");
    expect(d.reasons.join("\n")).toMatch(/c: r\n.*marginal/);
    rs[3] = result({ name: "d", weight: 30, class: "high", passed: false });
    expect(decide(rs, J)).toMatchObject({ verdict: "rollback", score: 55.6 });
  });
  it("a better-than-stable metric counts as passed", () => {
    expect(decide([result({ class: "low", passed: true })], J)).toMatchObject({
      verdict: "promote",
      score: 100,
    });
  });
  it("a failed critical metric rolls back whatever the score", () => {
    const rs = [
      result({ name: "err", critical: true, weight: 1, class: "high", passed: false }),
      result({ weight: 100 }),
    ];
    const d = decide(rs, J);
    expect(d).toMatchObject({ verdict: "rollback", score: 99 });
    expect(d.reasons[0]).toBe("err (critical): r");
  });
  it("a breached hard limit rolls back, critical or not", () => {
    const rs = [
      result({ weight: 100 }),
      result({
        name: "lat",
        weight: 1,
        class: "high",
        passed: false,
        effect: {
          measure: "ratio",
          value: 2,
          tolerance: 1.1,
          hardLimit: 1.25,
          beyondHardLimit: true,
          hardLimitBreached: true,
        },
      }),
    ];
    expect(decide(rs, J)).toMatchObject({ verdict: "rollback", reasons: ["lat: r"] });
  });
  it("a critical metric without data holds (too little traffic)", () => {
    const rs = [
      result({ name: "err", critical: true, class: "nodata", passed: undefined, reason: "too few requests" }),
      result({}),
    ];
    expect(decide(rs, J)).toMatchObject({
      verdict: "hold",
      score: 100,
      reasons: ["err (critical): too few requests"],
    });
  });
  it("nothing to judge holds without a score", () => {
    const d = decide([result({ class: "nodata", passed: undefined })], J);
    expect(d.verdict).toBe("hold");
    expect(d.score).toBeUndefined();
  });
  it("weight 0 is reported, not scored", () => {
    expect(decide([result({ weight: 0, class: "high", passed: false }), result({})], J)).toMatchObject({
      verdict: "promote",
    });
  });
  it("cut-offs are inclusive", () => {
    const j = { ...J, score: { pass: 50, marginal: 25 } };
    expect(decide([result({}), result({ class: "high", passed: false })], j)).toMatchObject({
      verdict: "promote",
      score: 50,
    });
  });
});

describe("exit codes", () => {
  it("0 promote, 1 rollback, 3 hold; argo mode turns hold into 0", () => {
    expect([exitCode("promote"), exitCode("rollback"), exitCode("hold")]).toEqual([0, 1, 3]);
    expect([exitCode("promote", "argo"), exitCode("rollback", "argo"), exitCode("hold", "argo")]).toEqual([
      0, 1, 0,
    ]);
  });
});
