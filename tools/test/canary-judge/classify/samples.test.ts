import { describe, expect, it } from "vitest";
import type { Observation } from "../../../src/canary-judge/classify/types.js";
import { classify } from "../../../src/canary-judge/classify.js";
import type { MetricDefinition } from "../../../src/canary-judge/definition/schema.js";
import { judgement, metricDefaults } from "../../support/canary.js";

const errorRate: MetricDefinition = {
  ...metricDefaults,
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
  ...metricDefaults,
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
