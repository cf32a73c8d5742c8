import { describe, expect, it } from "vitest";
import { classify } from "../../src/canary/classify.js";
import type { MetricDefinition } from "../../src/canary/definition/schema.js";
import { judgement, metricDefaults } from "../support/canary.js";

// The per-kind classifiers are tested in classify/; this is the dispatch between them.

describe("classify: dispatch by metric kind", () => {
  it("refuses an observation of another kind than its metric", () => {
    const agreement: MetricDefinition = {
      ...metricDefaults,
      name: "shadow-agreement",
      kind: "agreement",
      query: "q",
      label: "agreement",
      disagree: "disagree",
      tolerance: 0.05,
    };
    const o = { kind: "distribution", stable: { "0": 1 }, candidate: { "0": 1 } } as const;
    expect(() => classify(agreement, o, judgement())).toThrow(
      new TypeError("observation of kind distribution for metric shadow-agreement of kind agreement"),
    );
  });
});
