import { describe, expect, it } from "vitest";
import { DEFAULT_THRESHOLDS, decide } from "../../src/accuracy-gate/gate.js";
import { classificationMetrics } from "../../src/accuracy-gate/metrics.js";

/** Metrics for `k` classes with `n` rows each, `errors[c]` of class c predicted as (c+1) % k. */
function metricsWith(k: number, n: number, errors: number[]) {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let c = 0; c < k; c++) {
    const e = errors[c] ?? 0;
    (m[c] as number[])[c] = n - e;
    (m[c] as number[])[(c + 1) % k] = e;
  }
  return classificationMetrics(m);
}

const labels = ["a", "b", "c", "d"];

describe("gate decision", () => {
  it("passes when every threshold holds and reports signed drops", () => {
    const candidate = metricsWith(4, 100, [2, 2, 2, 2]); // 0.98
    const baseline = metricsWith(4, 100, [3, 3, 3, 3]); // 0.97
    const d = decide(candidate, baseline, labels, DEFAULT_THRESHOLDS);
    expect(d.passed).toBe(true);
    expect(d.accuracyDrop).toBe(-0.01);
    expect(d.checks.map((c) => [c.id, c.passed])).toEqual([
      ["min_accuracy", true],
      ["max_accuracy_drop", true],
      ["max_macro_f1_drop", true],
      ["min_class_recall", true],
    ]);
  });

  it("treats a drop equal to the limit as a pass (compared after rounding, as printed)", () => {
    // 0.97 − 0.96 is 0.010000000000000009 in doubles; the report prints 0.010000.
    const candidate = metricsWith(4, 100, [4, 4, 4, 4]);
    const baseline = metricsWith(4, 100, [3, 3, 3, 3]);
    expect(0.97 - 0.96).toBeGreaterThan(0.01);
    const d = decide(candidate, baseline, labels, DEFAULT_THRESHOLDS);
    expect(d.accuracyDrop).toBe(0.01);
    expect(d.checks.find((c) => c.id === "max_accuracy_drop")?.passed).toBe(true);
    const tighter = decide(candidate, baseline, labels, { ...DEFAULT_THRESHOLDS, maxDrop: 0.009999 });
    expect(tighter.passed).toBe(false);
  });

  it("fails on absolute accuracy and names every class under the recall floor", () => {
    const candidate = metricsWith(4, 10, [0, 3, 0, 5]); // recall b 0.7, d 0.5; accuracy 0.8
    const d = decide(candidate, undefined, labels, DEFAULT_THRESHOLDS);
    expect(d.passed).toBe(false);
    expect(d.accuracyDrop).toBeUndefined();
    expect(d.checks.map((c) => c.id)).toEqual(["min_accuracy", "min_class_recall"]);
    const recall = d.checks.find((c) => c.id === "min_class_recall");
    expect(recall?.actual).toBe(0.5);
    expect(recall?.message).toBe('class recall below 0.8: "b" 0.700000, "d" 0.500000');
  });

  it("does not hold a class absent from the data to the recall floor", () => {
    const m = classificationMetrics([
      [10, 0, 0],
      [0, 10, 0],
      [0, 0, 0],
    ]);
    const d = decide(m, undefined, ["a", "b", "c"], DEFAULT_THRESHOLDS);
    expect(d.passed).toBe(true);
    expect(d.checks.find((c) => c.id === "min_class_recall")?.actual).toBe(1);
  });

  it("fails a macro-F1 drop even when accuracy holds", () => {
    // Same 1005/1010 correct, but the candidate's errors fall on the small class.
    const candidate = classificationMetrics([
      [1000, 0],
      [5, 5],
    ]);
    const baseline = classificationMetrics([
      [995, 5],
      [0, 10],
    ]);
    const d = decide(candidate, baseline, ["big", "small"], DEFAULT_THRESHOLDS);
    expect(d.accuracyDrop).toBe(0);
    expect(d.macroF1Drop).toBe(0.066661); // Python: round(round(b, 6) - round(c, 6), 6)
    expect(d.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual([
      "max_macro_f1_drop",
      "min_class_recall",
    ]);
  });
});
