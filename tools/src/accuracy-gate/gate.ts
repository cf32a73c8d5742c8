import { type ClassificationMetrics, roundHalfEven } from "./metrics.js";

/** Every value the gate compares is first rounded like the manifests (6 places, half even). */
export const DECIMALS = 6;

export type Thresholds = Readonly<{
  /** Candidate accuracy must be at least this (absolute). */
  minAccuracy: number;
  /** Baseline accuracy − candidate accuracy must be at most this (absolute). */
  maxDrop: number;
  /** Baseline macro-F1 − candidate macro-F1 must be at most this (absolute). */
  maxF1Drop: number;
  /** Every class with rows in the data must have at least this recall on the candidate. */
  minClassRecall: number;
}>;

export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
  minAccuracy: 0.9,
  maxDrop: 0.01,
  maxF1Drop: 0.01,
  minClassRecall: 0.8,
});

export type CheckId = "min_accuracy" | "max_accuracy_drop" | "max_macro_f1_drop" | "min_class_recall";

export type Check = Readonly<{
  id: CheckId;
  passed: boolean;
  actual: number;
  limit: number;
  message: string;
}>;

export type GateDecision = Readonly<{
  passed: boolean;
  checks: readonly Check[];
  /** baseline − candidate, rounded; undefined without a baseline. */
  accuracyDrop: number | undefined;
  macroF1Drop: number | undefined;
}>;

const r = (x: number) => roundHalfEven(x, DECIMALS);

function check(id: CheckId, passed: boolean, actual: number, limit: number, message: string): Check {
  return { id, passed, actual, limit, message };
}

/**
 * Applies the thresholds. Comparisons use rounded values so the verdict matches the numbers in
 * the report: a drop printed as 0.010000 passes `--max-drop 0.01` even if the raw double difference
 * is 0.010000000000000009. Classes absent from the data have no recall and are not checked.
 */
export function decide(
  candidate: ClassificationMetrics,
  baseline: ClassificationMetrics | undefined,
  labels: readonly string[],
  t: Thresholds,
): GateDecision {
  const checks: Check[] = [];
  const accuracy = r(candidate.accuracy);
  checks.push(
    check(
      "min_accuracy",
      accuracy >= t.minAccuracy,
      accuracy,
      t.minAccuracy,
      `candidate accuracy ${accuracy.toFixed(DECIMALS)} ${accuracy >= t.minAccuracy ? "≥" : "<"} minimum ${t.minAccuracy}`,
    ),
  );
  let accuracyDrop: number | undefined;
  let macroF1Drop: number | undefined;
  if (baseline) {
    accuracyDrop = r(r(baseline.accuracy) - accuracy);
    macroF1Drop = r(r(baseline.macroF1) - r(candidate.macroF1));
    checks.push(
      check(
        "max_accuracy_drop",
        accuracyDrop <= t.maxDrop,
        accuracyDrop,
        t.maxDrop,
        `accuracy drop vs baseline ${accuracyDrop.toFixed(DECIMALS)} ${accuracyDrop <= t.maxDrop ? "≤" : ">"} maximum ${t.maxDrop}`,
      ),
      check(
        "max_macro_f1_drop",
        macroF1Drop <= t.maxF1Drop,
        macroF1Drop,
        t.maxF1Drop,
        `macro-F1 drop vs baseline ${macroF1Drop.toFixed(DECIMALS)} ${macroF1Drop <= t.maxF1Drop ? "≤" : ">"} maximum ${t.maxF1Drop}`,
      ),
    );
  }
  const classes = labels.map((label, c) => ({
    label,
    recall: r(candidate.recall[c] ?? 0),
    rows: candidate.support[c] ?? 0,
  }));
  const present = classes.filter((c) => c.rows > 0);
  const low = present.filter((c) => c.recall < t.minClassRecall);
  const worst = present.reduce((min, c) => Math.min(min, c.recall), 1);
  checks.push(
    check(
      "min_class_recall",
      low.length === 0,
      worst,
      t.minClassRecall,
      low.length === 0
        ? `every class recall ≥ ${t.minClassRecall} (lowest ${worst.toFixed(DECIMALS)})`
        : `class recall below ${t.minClassRecall}: ${low.map((c) => `"${c.label}" ${c.recall.toFixed(DECIMALS)}`).join(", ")}`,
    ),
  );
  return { passed: checks.every((c) => c.passed), checks, accuracyDrop, macroF1Drop };
}
