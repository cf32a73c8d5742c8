import { describe, expect, it } from "vitest";
import { classify } from "../../../src/canary-judge/classify.js";
import type { MetricDefinition } from "../../../src/canary-judge/definition/schema.js";
import { judgement, metricDefaults } from "../../support/canary.js";

const shift: MetricDefinition = {
  ...metricDefaults,
  name: "prediction-shift",
  kind: "distribution",
  query: "q",
  label: "class",
  tolerance: 0.02,
  hardLimit: 0.2,
  weight: 30,
};
const J = judgement();

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
