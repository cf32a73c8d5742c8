import { describe, expect, it } from "vitest";
import { resolveJudgement } from "../../../src/canary-judge/definition/judgement.js";
import { type AnalysisDefinition, parseDefinition } from "../../../src/canary-judge/definition/schema.js";
import { baseDefinition } from "../../support/canary.js";

describe("per-model and command-line overrides", () => {
  const d = (): AnalysisDefinition =>
    parseDefinition(
      {
        ...baseDefinition(),
        models: {
          digits: { minIntervals: 6, score: { pass: 90 }, metrics: { lat: { floor: 0.002, weight: 5 } } },
        },
      },
      "t",
    );
  it("model overrides apply to that model only", () => {
    const digits = resolveJudgement(d(), "digits");
    expect(digits).toMatchObject({ minIntervals: 6, score: { pass: 90, marginal: 75 } });
    expect(digits.metrics[1]).toMatchObject({ floor: 0.002, weight: 5, tolerance: 1.1 });
    expect(resolveJudgement(d(), "other").metrics[1]).toMatchObject({ floor: 0.01, weight: 1 });
  });
  it("the command line wins over the model, '*' applies to every metric", () => {
    const r = resolveJudgement(d(), "digits", {
      confidence: 0.99,
      score: { marginal: 50 },
      metrics: { "*": { minSamples: 5 }, lat: { floor: 0.05 } },
    });
    expect(r).toMatchObject({ confidence: 0.99, score: { pass: 90, marginal: 50 } });
    expect(r.metrics.map((m) => m.minSamples)).toEqual([5, 5]);
    expect(r.metrics[1]).toMatchObject({ floor: 0.05, weight: 5 });
  });
  it("rejects unknown metrics and a marginal cut-off above the pass cut-off", () => {
    expect(() => resolveJudgement(d(), "digits", { metrics: { nope: { weight: 1 } } })).toThrow(
      /unknown metric "nope"/,
    );
    expect(() => resolveJudgement(d(), "digits", { score: { marginal: 96 } })).toThrow(
      /marginal \(96\) above pass \(90\)/,
    );
  });
});
