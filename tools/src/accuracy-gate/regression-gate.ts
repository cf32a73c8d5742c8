import { roundHalfEven } from "./metrics.js";
import type { RegressionMetrics } from "./regression-metrics.js";

const DECIMALS = 6;
const r = (x: number) => roundHalfEven(x, DECIMALS);

export type RegressionThresholds = Readonly<{
  /** Candidate R² must be at least this. */
  minR2: number;
  /** Candidate MAE / RMSE must be at most this (in the target's unit); undefined: not checked. */
  maxMae: number | undefined;
  maxRmse: number | undefined;
  /** (candidate − baseline) / baseline of MAE and RMSE must be at most this (0.05: 5 % worse). */
  maxMaeIncrease: number;
  maxRmseIncrease: number;
  /** Baseline R² − candidate R² must be at most this (absolute). */
  maxR2Drop: number;
}>;

export const DEFAULT_REGRESSION_THRESHOLDS: RegressionThresholds = Object.freeze({
  minR2: 0.5,
  maxMae: undefined,
  maxRmse: undefined,
  maxMaeIncrease: 0.05,
  maxRmseIncrease: 0.05,
  maxR2Drop: 0.01,
});

export type RegressionCheckId =
  | "min_r2"
  | "max_mae"
  | "max_rmse"
  | "max_mae_increase"
  | "max_rmse_increase"
  | "max_r2_drop";

export type RegressionCheck = Readonly<{
  id: RegressionCheckId;
  passed: boolean;
  actual: number;
  limit: number;
  message: string;
}>;

export type RegressionDeltas = Readonly<{ maeIncrease: number; rmseIncrease: number; r2Drop: number }>;

export type RegressionDecision = Readonly<{
  passed: boolean;
  checks: readonly RegressionCheck[];
  /** Against the baseline, rounded; undefined without one. */
  deltas: RegressionDeltas | undefined;
}>;

/** A check that passes only on a finite value: a model that answers NaN fails, it does not slip through. */
function check(
  id: RegressionCheckId,
  what: string,
  actual: number,
  limit: number,
  atMost: boolean,
): RegressionCheck {
  const passed = Number.isFinite(actual) && (atMost ? actual <= limit : actual >= limit);
  const sign = atMost ? (passed ? "≤" : ">") : passed ? "≥" : "<";
  const bound = atMost ? "maximum" : "minimum";
  return {
    id,
    passed,
    actual,
    limit,
    message: `${what} ${actual.toFixed(DECIMALS)} ${sign} ${bound} ${limit}`,
  };
}

/** Relative change of an error metric; from a perfect baseline (0) any error is an infinite increase. */
function increase(candidate: number, baseline: number): number {
  if (baseline === 0) return candidate === 0 ? 0 : Number.POSITIVE_INFINITY;
  return r((candidate - baseline) / baseline);
}

/**
 * Applies the thresholds to rounded values (6 places, half to even, as the classification gate),
 * so the verdict matches the numbers in the report.
 */
export function decideRegression(
  candidate: RegressionMetrics,
  baseline: RegressionMetrics | undefined,
  t: RegressionThresholds,
): RegressionDecision {
  const [mae, rmse, r2] = [r(candidate.mae), r(candidate.rmse), r(candidate.r2)];
  const checks = [check("min_r2", "candidate R²", r2, t.minR2, false)];
  if (t.maxMae !== undefined) checks.push(check("max_mae", "candidate MAE", mae, t.maxMae, true));
  if (t.maxRmse !== undefined) checks.push(check("max_rmse", "candidate RMSE", rmse, t.maxRmse, true));
  let deltas: RegressionDeltas | undefined;
  if (baseline) {
    deltas = {
      maeIncrease: increase(mae, r(baseline.mae)),
      rmseIncrease: increase(rmse, r(baseline.rmse)),
      r2Drop: r(r(baseline.r2) - r2),
    };
    checks.push(
      check(
        "max_mae_increase",
        "MAE increase vs baseline (relative)",
        deltas.maeIncrease,
        t.maxMaeIncrease,
        true,
      ),
      check(
        "max_rmse_increase",
        "RMSE increase vs baseline (relative)",
        deltas.rmseIncrease,
        t.maxRmseIncrease,
        true,
      ),
      check("max_r2_drop", "R² drop vs baseline", deltas.r2Drop, t.maxR2Drop, true),
    );
  }
  return { passed: checks.every((c) => c.passed), checks, deltas };
}
