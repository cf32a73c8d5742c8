import { describe, expect, it } from "vitest";
import type { MetricDefinition, ResolvedJudgement } from "../../src/canary/definition.js";
import {
  classify,
  decide,
  exitCode,
  fmtP,
  type MetricResult,
  type Observation,
} from "../../src/canary/judge.js";

const judgement = (metrics: MetricDefinition[] = []): ResolvedJudgement => ({
  confidence: 0.95,
  minIntervals: 4,
  score: { pass: 95, marginal: 75 },
  metrics,
});

const common = {
  direction: "increase",
  minSamples: 100,
  critical: false,
  weight: 10,
  unit: "number",
} as const;
const errorRate: MetricDefinition = {
  ...common,
  name: "error-rate",
  kind: "samples",
  query: "q",
  count: "c",
  effect: "difference",
  floor: 0,
  tolerance: 0.005,
  hardLimit: 0.01,
  critical: true,
  weight: 30,
};
const latency: MetricDefinition = {
  ...common,
  name: "p95-latency",
  kind: "samples",
  query: "q",
  count: "c",
  effect: "ratio",
  floor: 0.01,
  tolerance: 1.1,
  hardLimit: 1.25,
  weight: 20,
};
const shift: MetricDefinition = {
  ...common,
  name: "prediction-shift",
  kind: "distribution",
  query: "q",
  label: "class",
  tolerance: 0.02,
  hardLimit: 0.2,
  weight: 30,
};
const agreement: MetricDefinition = {
  ...common,
  name: "shadow-agreement",
  kind: "agreement",
  query: "q",
  label: "agreement",
  disagree: "disagree",
  tolerance: 0.05,
  hardLimit: 0.2,
};

const samples = (stable: number[], candidate: number[], count = 1000): Observation => ({
  kind: "samples",
  stable: { value: mean(stable), count, intervals: stable },
  candidate: { value: mean(candidate), count, intervals: candidate },
});
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const J = judgement();

describe("classify: samples metrics (Mann-Whitney U + effect size)", () => {
  it("identical tracks pass with p = 1", () => {
    const r = classify(errorRate, samples([0, 0, 0, 0, 0], [0, 0, 0, 0, 0]), J);
    expect(r).toMatchObject({
      class: "pass",
      passed: true,
      effect: { value: 0, beyondHardLimit: false, hardLimitBreached: false },
    });
    expect(r.test).toMatchObject({ name: "mann-whitney-u", pValue: 1 });
  });

  it("a significant difference within the tolerance passes (Kayenta's effect-size gate)", () => {
    // every canary interval a little higher: p = 2/C(16,8) but only +0.2 points of errors
    const r = classify(
      errorRate,
      samples(
        [0.001, 0.0012, 0.0011, 0.0013, 0.001, 0.0012, 0.0011, 0.0013],
        [0.003, 0.0031, 0.0032, 0.0033, 0.003, 0.0031, 0.0032, 0.0034],
      ),
      J,
    );
    expect(r.test?.pValue).toBeLessThan(0.001);
    expect(r).toMatchObject({ class: "pass", passed: true });
    expect(r.reason).toMatch(/significant .* within the tolerance/);
  });

  it("a significant difference beyond the tolerance is high and fails", () => {
    const r = classify(
      errorRate,
      samples([0.001, 0.0012, 0.0011, 0.0013, 0.001, 0.0012], [0.008, 0.0085, 0.0079, 0.009, 0.0081, 0.0088]),
      J,
    );
    expect(r).toMatchObject({ class: "high", passed: false, effect: { hardLimitBreached: false } });
    expect(r.effect?.value).toBeCloseTo(0.00725, 6);
  });

  it("a large difference that is not significant passes (too noisy to tell)", () => {
    const r = classify(errorRate, samples([0, 0.005, 0, 0.002, 0], [0, 0.009, 0, 0, 0.0001]), J);
    expect(r.test?.pValue).toBeGreaterThan(0.05);
    expect(r.class).toBe("pass");
  });

  it("significantly worse and beyond the hard limit fails outright", () => {
    const r = classify(errorRate, samples([0, 0.001, 0.002, 0.003, 0.004], [0.5, 0.6, 0.7, 0.8, 0.9]), J);
    expect(r).toMatchObject({
      class: "high",
      passed: false,
      effect: { beyondHardLimit: true, hardLimitBreached: true },
    });
    expect(r.test?.pValue).toBeCloseTo(2 / 252, 10); // exact, 5 vs 5 separated
    expect(r.reason).toMatch(/beyond the hard limit 0.01 \(p 0.00794 < 0.05\)/);
  });

  it("beyond the hard limit but not significant (one noisy window) is no breach", () => {
    // the window's value is beyond the limit, the intervals do not show a consistent shift
    const o: Observation = {
      kind: "samples",
      stable: { value: 0.001, count: 1000, intervals: [0, 0.004, 0, 0.001, 0] },
      candidate: { value: 0.02, count: 1000, intervals: [0, 0.1, 0, 0, 0] },
    };
    const r = classify(errorRate, o, J);
    expect(r.test?.pValue).toBeGreaterThan(0.05);
    expect(r).toMatchObject({ class: "pass", effect: { beyondHardLimit: true, hardLimitBreached: false } });
  });

  it("without enough intervals for the test there is no verdict on the metric, even beyond the limit", () => {
    const r = classify(errorRate, samples([0], [0.3]), J);
    expect(r).toMatchObject({ class: "nodata", effect: { beyondHardLimit: true, hardLimitBreached: false } });
    expect(r.test).toBeUndefined();
  });

  it("significantly better is low and passes", () => {
    const r = classify(
      latency,
      samples([0.05, 0.051, 0.052, 0.05, 0.053], [0.02, 0.021, 0.02, 0.022, 0.021]),
      J,
    );
    expect(r).toMatchObject({ class: "low", passed: true });
  });

  it("ratios are floored: sub-floor latencies never count", () => {
    const r = classify(
      latency,
      samples([0.001, 0.0011, 0.001, 0.0012, 0.001], [0.008, 0.0085, 0.009, 0.0082, 0.0081]),
      J,
    );
    expect(r.test?.pValue).toBeLessThan(0.05);
    expect(r.effect?.value).toBe(1);
    expect(r).toMatchObject({ class: "pass", passed: true });
    const slow = classify(
      latency,
      samples([0.02, 0.021, 0.02, 0.022, 0.02], [0.024, 0.0245, 0.024, 0.0242, 0.0241]),
      J,
    );
    expect(slow.effect?.value).toBeCloseTo(1.1728, 4); // 0.024156 / 0.0206
    expect(slow).toMatchObject({ class: "high", passed: false, effect: { hardLimitBreached: false } });
  });

  it("no data: no traffic, too few samples, too few intervals", () => {
    const none: Observation = {
      kind: "samples",
      stable: { value: 0, count: 500, intervals: [0, 0, 0, 0] },
      candidate: { value: Number.NaN, count: 0, intervals: [] },
    };
    expect(classify(errorRate, none, J)).toMatchObject({
      class: "nodata",
      reason: "no requests on the candidate track",
    });
    const few = classify(errorRate, samples([0, 0, 0, 0], [0, 0, 0, 0], 50), J);
    expect(few).toMatchObject({ class: "nodata" });
    expect(few.reason).toMatch(/too few requests: stable 50, candidate 50 \(need 100 each\)/);
    const short = classify(errorRate, samples([0, 0, 0], [0, 0, 0]), J);
    expect(short.reason).toMatch(/too few intervals with traffic: stable 3, candidate 3 \(need 4 each\)/);
    expect(short.passed).toBeUndefined();
  });
});

describe("classify: prediction distribution (chi-square + PSI)", () => {
  const even = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i), 1000]));
  it("the same distribution passes", () => {
    const r = classify(shift, { kind: "distribution", stable: even, candidate: { ...even, "3": 1040 } }, J);
    expect(r).toMatchObject({ class: "pass", passed: true, test: { name: "chi-square", dof: 9 } });
    expect(r.distribution?.classes).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  });
  it("a moderate shift: significant and beyond the tolerance", () => {
    const r = classify(
      shift,
      { kind: "distribution", stable: even, candidate: { ...even, "0": 600, "1": 1400 } },
      J,
    );
    expect(r.effect?.value).toBeGreaterThan(0.02);
    expect(r).toMatchObject({ class: "high", passed: false, effect: { hardLimitBreached: false } });
  });
  it("a gross shift breaches the hard limit", () => {
    const r = classify(shift, { kind: "distribution", stable: even, candidate: { "0": 9000, "1": 1000 } }, J);
    expect(r).toMatchObject({ class: "high", effect: { hardLimitBreached: true } });
  });
  it("too few predictions is no data; counts from increase() are rounded", () => {
    const r = classify(shift, { kind: "distribution", stable: { "0": 40.4, "1": 30.2 }, candidate: even }, J);
    expect(r).toMatchObject({ class: "nodata", stable: { samples: 70 } });
  });
});

describe("classify: shadow agreement (binomial test)", () => {
  it("no comparisons is no data, not a failure", () => {
    expect(classify(agreement, { kind: "agreement", agree: 0, disagree: 0 }, J)).toMatchObject({
      class: "nodata",
    });
  });
  it("disagreement around the tolerance passes, significantly above fails, above the limit breaches", () => {
    expect(classify(agreement, { kind: "agreement", agree: 190, disagree: 10 }, J)).toMatchObject({
      class: "pass",
    });
    const high = classify(agreement, { kind: "agreement", agree: 180, disagree: 20 }, J);
    expect(high).toMatchObject({
      class: "high",
      passed: false,
      effect: { value: 0.1, hardLimitBreached: false },
    });
    expect(high.test?.pValue).toBeCloseTo(0.0026645795498294435, 8);
    expect(classify(agreement, { kind: "agreement", agree: 150, disagree: 50 }, J)).toMatchObject({
      effect: { hardLimitBreached: true },
    });
  });
});

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
  it("p-value formatting", () => {
    expect([fmtP(1), fmtP(0.04567), fmtP(0.000123), fmtP(0)]).toEqual(["1", "0.0457", "1.23e-4", "<1e-12"]);
  });
});
