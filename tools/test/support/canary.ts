import type { ResolvedJudgement } from "../../src/canary-judge/definition/judgement.js";
import type { MetricDefinition } from "../../src/canary-judge/definition/schema.js";

/** Fixtures the canary tests share. */

/** A resolved judgement: confidence 0.95, 4 intervals, score cut-offs 95 / 75. */
export const judgement = (metrics: MetricDefinition[] = []): ResolvedJudgement => ({
  confidence: 0.95,
  minIntervals: 4,
  score: { pass: 95, marginal: 75 },
  metrics,
});

/** The fields every metric of the classification tests has in common. */
export const metricDefaults = {
  direction: "increase",
  minSamples: 100,
  critical: false,
  weight: 10,
  unit: "number",
} as const;

/** A shadow agreement metric: disagreement tolerance 5 %, hard limit 20 %. */
export const agreementMetric: MetricDefinition = {
  ...metricDefaults,
  name: "shadow-agreement",
  kind: "agreement",
  query: "q",
  label: "agreement",
  disagree: "disagree",
  tolerance: 0.05,
  hardLimit: 0.2,
};

/** A small valid definition as read from YAML: two samples metrics, the first with fastFail. */
export function baseDefinition(): Record<string, unknown> {
  return {
    args: [
      { name: "window", default: "5m" },
      { name: "step", default: "1m" },
    ],
    judgement: {
      confidence: 0.95,
      minIntervals: 4,
      score: { pass: 95, marginal: 75 },
      job: { interval: "5m", failureLimit: 0 },
    },
    metrics: [
      {
        name: "error-rate",
        kind: "samples",
        query: 'sum(rate(x{track="{{track}}", {{selector}}}[{{range}}]))',
        count: 'sum(increase(x{track="{{track}}", {{selector}}}[{{range}}]))',
        effect: "difference",
        tolerance: 0.005,
        hardLimit: 0.01,
        minSamples: 200,
        fastFail: { name: "e", interval: "1m", failureLimit: 2 },
      },
      {
        name: "lat",
        kind: "samples",
        query: 'q{track="{{track}}", {{selector}}}[{{range}}]',
        count: 'c{track="{{track}}", {{selector}}}[{{range}}]',
        effect: "ratio",
        floor: 0.01,
        tolerance: 1.1,
        hardLimit: 1.25,
      },
    ],
  };
}
