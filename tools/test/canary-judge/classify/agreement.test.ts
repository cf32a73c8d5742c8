import { describe, expect, it } from "vitest";
import { classify } from "../../../src/canary-judge/classify.js";
import { agreementMetric, judgement } from "../../support/canary.js";

const agreement = agreementMetric;
const J = judgement();

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
