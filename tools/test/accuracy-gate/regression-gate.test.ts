import { describe, expect, it } from "vitest";
import { DEFAULT_REGRESSION_THRESHOLDS, decideRegression } from "../../src/accuracy-gate/regression-gate.js";
import { regressionMetrics } from "../../src/accuracy-gate/regression-metrics.js";

/** MAE, RMSE and R² by their formulas, and the verdict on them. */
const metrics = (targets: number[], predictions: number[]) =>
  regressionMetrics(Float64Array.from(targets), Float64Array.from(predictions));

describe("regression metrics", () => {
  it("computes MAE, RMSE and R² (scikit-learn's r2_score) on a worked example", () => {
    // errors 0, 0, 0, -1: |e| sums to 1, e² to 1; the targets' spread Σ(y − 2.5)² is 5.
    expect(metrics([1, 2, 3, 4], [1, 2, 3, 5])).toEqual({ rows: 4, mae: 0.25, rmse: 0.5, r2: 0.8 });
    expect(metrics([1, 2, 3], [2, 2, 2]).r2).toBe(0); // predicting the mean
    expect(metrics([1, 2, 3], [3, 2, 1]).r2).toBe(-3); // worse than the mean
  });
});

describe("the regression verdict", () => {
  const good = { rows: 100, mae: 0.2, rmse: 0.3, r2: 0.95 };
  const t = DEFAULT_REGRESSION_THRESHOLDS;

  it("passes a model above the R² floor, and checks MAE and RMSE only when asked", () => {
    const d = decideRegression(good, undefined, t);
    expect(d.passed).toBe(true);
    expect(d.checks.map((c) => c.id)).toEqual(["min_r2"]);
    expect(d.deltas).toBeUndefined();
    const strict = decideRegression(good, undefined, { ...t, maxMae: 0.1, maxRmse: 0.3 });
    expect(strict.checks.map((c) => [c.id, c.passed])).toEqual([
      ["min_r2", true],
      ["max_mae", false],
      ["max_rmse", true],
    ]);
    expect(strict.checks[1]?.message).toBe("candidate MAE 0.200000 > maximum 0.1");
  });

  it("compares with a baseline: relative MAE/RMSE increase and absolute R² drop, rounded as reported", () => {
    const worse = { rows: 100, mae: 0.21, rmse: 0.3, r2: 0.94 };
    const d = decideRegression(worse, good, t);
    expect(d.deltas).toEqual({ maeIncrease: 0.05, rmseIncrease: 0, r2Drop: 0.01 });
    expect(d.passed).toBe(true); // exactly at the limits, after rounding
    const fail = decideRegression({ ...worse, mae: 0.22 }, good, t);
    expect(fail.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual(["max_mae_increase"]);
    expect(decideRegression(good, worse, t).deltas?.maeIncrease).toBeLessThan(0); // better: negative
  });

  it("fails a model that answers NaN, and any error against a perfect baseline", () => {
    const nan = decideRegression({ rows: 3, mae: Number.NaN, rmse: Number.NaN, r2: Number.NaN }, good, t);
    expect(nan.passed).toBe(false);
    expect(nan.checks.every((c) => !c.passed)).toBe(true);
    const perfect = { rows: 3, mae: 0, rmse: 0, r2: 1 };
    const d = decideRegression(good, perfect, t);
    expect(d.deltas?.maeIncrease).toBe(Number.POSITIVE_INFINITY);
    expect(d.passed).toBe(false);
    expect(decideRegression(perfect, perfect, t).passed).toBe(true);
  });
});
