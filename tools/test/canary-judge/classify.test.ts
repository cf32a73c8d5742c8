import { describe, expect, it } from "vitest";
import { classify } from "../../src/canary-judge/classify.js";
import { agreementMetric, judgement } from "../support/canary.js";

// The per-kind classifiers are tested in classify/; this is the dispatch between them.

describe("classify: dispatch by metric kind", () => {
  it("refuses an observation of another kind than its metric", () => {
    const o = { kind: "distribution", stable: { "0": 1 }, candidate: { "0": 1 } } as const;
    expect(() => classify(agreementMetric, o, judgement())).toThrow(
      new TypeError("observation of kind distribution for metric shadow-agreement of kind agreement"),
    );
  });
});
