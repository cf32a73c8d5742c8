import type { RegressionDataset } from "./dataset.js";
import { roundHalfEven } from "./metrics.js";
import type { VersionRef } from "./model-uri.js";
import type { RegressionEvaluation } from "./regression-evaluator.js";
import type { RegressionCheck, RegressionDecision, RegressionThresholds } from "./regression-gate.js";

export type RegressionModelSummary = Readonly<{
  uri: string;
  model: string;
  version: number;
  sha256: string;
  /** The output the predictions were read from. */
  output: string;
  /** Rounded to 6 places (half to even), the values the checks compare. */
  metrics: { rows: number; mae: number; rmse: number; r2: number };
  rows_per_second: number;
  elapsed_ms: number;
  batch_size: number;
}>;

/** The regression gate's machine-readable result (`--json-out`): the classification report's shape, its metrics. */
export type RegressionGateReport = Readonly<{
  schema_version: 1;
  task: "regression";
  passed: boolean;
  data: { path: string; format: string; sha256: string; rows: number; features: number };
  thresholds: {
    min_r2: number;
    max_mae: number | null;
    max_rmse: number | null;
    max_mae_increase: number;
    max_rmse_increase: number;
    max_r2_drop: number;
  };
  candidate: RegressionModelSummary;
  baseline: RegressionModelSummary | null;
  /** Relative MAE and RMSE increases and the absolute R² drop vs the baseline; null without one. */
  deltas: { mae_increase: number; rmse_increase: number; r2_drop: number } | null;
  checks: readonly RegressionCheck[];
}>;

export type RegressionEvaluated = Readonly<{
  ref: VersionRef;
  sha256: string;
  evaluation: RegressionEvaluation;
}>;

const r = (x: number) => roundHalfEven(x, 6);

function summarize(e: RegressionEvaluated): RegressionModelSummary {
  const m = e.evaluation.metrics;
  return {
    uri: e.ref.uri,
    model: e.ref.model,
    version: e.ref.version,
    sha256: e.sha256,
    output: e.evaluation.output,
    metrics: { rows: m.rows, mae: r(m.mae), rmse: r(m.rmse), r2: r(m.r2) },
    rows_per_second: Math.round(e.evaluation.rowsPerSecond),
    elapsed_ms: Math.round(e.evaluation.elapsedMs * 10) / 10,
    batch_size: e.evaluation.batchSize,
  };
}

export function buildRegressionReport(
  dataset: RegressionDataset,
  t: RegressionThresholds,
  decision: RegressionDecision,
  candidate: RegressionEvaluated,
  baseline: RegressionEvaluated | undefined,
): RegressionGateReport {
  const d = decision.deltas;
  return {
    schema_version: 1,
    task: "regression",
    passed: decision.passed,
    data: {
      path: dataset.path,
      format: dataset.format,
      sha256: dataset.sha256,
      rows: dataset.rows,
      features: dataset.width,
    },
    thresholds: {
      min_r2: t.minR2,
      max_mae: t.maxMae ?? null,
      max_rmse: t.maxRmse ?? null,
      max_mae_increase: t.maxMaeIncrease,
      max_rmse_increase: t.maxRmseIncrease,
      max_r2_drop: t.maxR2Drop,
    },
    candidate: summarize(candidate),
    baseline: baseline ? summarize(baseline) : null,
    deltas: d ? { mae_increase: d.maeIncrease, rmse_increase: d.rmseIncrease, r2_drop: d.r2Drop } : null,
    checks: decision.checks,
  };
}

/** Every row's target and prediction (`--predictions-out`), one JSON object a line. */
export function regressionPredictionsJsonl(dataset: RegressionDataset, predictions: Float64Array): string {
  const lines: string[] = [];
  for (let i = 0; i < dataset.rows; i++)
    lines.push(JSON.stringify({ row: i + 1, target: dataset.targets[i], predicted: predictions[i] }));
  return `${lines.join("\n")}\n`;
}
