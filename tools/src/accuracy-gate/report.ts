import type { Dataset } from "./dataset.js";
import type { Evaluation } from "./evaluator.js";
import { DECIMALS, type GateDecision, type Thresholds } from "./gate.js";
import { manifestMetrics } from "./metrics.js";
import type { VersionRef } from "./model-uri.js";

export type ModelSummary = Readonly<{
  uri: string;
  model: string;
  version: number;
  sha256: string;
  labels: readonly string[];
  /** Rounded like the manifests' `metrics`, so the two can be compared by eye or by code. */
  metrics: ReturnType<typeof manifestMetrics> & {
    correct: number;
    support: Record<string, number>;
    /** confusion_matrix[true][predicted], indexes into `labels`. */
    confusion_matrix: readonly (readonly number[])[];
  };
  rows_per_second: number;
  elapsed_ms: number;
  batch_size: number;
}>;

/** The classification gate's machine-readable result (`--json-out`); the text and Markdown views render this. */
export type GateReport = Readonly<{
  schema_version: 1;
  task: "classification";
  passed: boolean;
  data: { path: string; format: string; sha256: string; rows: number; features: number };
  thresholds: {
    min_accuracy: number;
    max_accuracy_drop: number;
    max_macro_f1_drop: number;
    min_class_recall: number;
  };
  candidate: ModelSummary;
  baseline: ModelSummary | null;
  deltas: { accuracy_drop: number; macro_f1_drop: number } | null;
  checks: GateDecision["checks"];
}>;

export type Evaluated = Readonly<{ ref: VersionRef; sha256: string; evaluation: Evaluation }>;

export function summarize(e: Evaluated): ModelSummary {
  const { metrics, labels } = e.evaluation;
  return {
    uri: e.ref.uri,
    model: e.ref.model,
    version: e.ref.version,
    sha256: e.sha256,
    labels,
    metrics: {
      ...manifestMetrics(metrics, labels, DECIMALS),
      correct: metrics.correct,
      support: Object.fromEntries(labels.map((l, c) => [l, metrics.support[c] ?? 0])),
      confusion_matrix: metrics.confusion,
    },
    rows_per_second: Math.round(e.evaluation.rowsPerSecond),
    elapsed_ms: Math.round(e.evaluation.elapsedMs * 10) / 10,
    batch_size: e.evaluation.batchSize,
  };
}

export function buildReport(
  dataset: Dataset,
  thresholds: Thresholds,
  decision: GateDecision,
  candidate: Evaluated,
  baseline: Evaluated | undefined,
): GateReport {
  return {
    schema_version: 1,
    task: "classification",
    passed: decision.passed,
    data: {
      path: dataset.path,
      format: dataset.format,
      sha256: dataset.sha256,
      rows: dataset.rows,
      features: dataset.width,
    },
    thresholds: {
      min_accuracy: thresholds.minAccuracy,
      max_accuracy_drop: thresholds.maxDrop,
      max_macro_f1_drop: thresholds.maxF1Drop,
      min_class_recall: thresholds.minClassRecall,
    },
    candidate: summarize(candidate),
    baseline: baseline ? summarize(baseline) : null,
    deltas:
      decision.accuracyDrop === undefined || decision.macroF1Drop === undefined
        ? null
        : { accuracy_drop: decision.accuracyDrop, macro_f1_drop: decision.macroF1Drop },
    checks: decision.checks,
  };
}
