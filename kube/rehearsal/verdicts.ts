/**
 * The canary's AnalysisRun as the report's canary steps: each measurement of the verdict metric
 * (canary-verdict-<model>) is the report `infergate canary serve` answered the controller with;
 * its window, verdict, score and failed metrics become one step, at the canary weight the Rollout
 * had when it was measured, and the report itself is written to canary/<run>-<n>.json and .md.
 * And which metrics caught a candidate the AnalysisRun failed.
 */
import { writeFile } from "node:fs/promises";
import { type CanaryReport, renderMarkdown } from "../../tools/src/canary-judge/report.js";
import type { CanaryStep, RolloutState } from "../../tools/src/rehearse/report/types.js";
import { reportPath, type StageContext } from "../../tools/src/rehearse/stages/context.js";
import type { AnalysisRun, MetricResult } from "./objects.js";

export const verdictMetric = (model: string) => `canary-verdict-${model}`;

function parseReport(value: string | undefined): CanaryReport | undefined {
  try {
    const report = JSON.parse(value ?? "") as CanaryReport;
    return report.verdict ? report : undefined;
  } catch {
    return undefined;
  }
}

const failedMetrics = (r: CanaryReport) =>
  r.metrics.filter((m) => m.passed === false).map((m) => ({ name: m.name, reason: m.reason }));

/** The canary weight (percent) in force at `at`, from the Rollout's recorded states. */
export function weightAt(states: readonly RolloutState[], at: number): number | null {
  return states.findLast((s) => s.at <= at)?.canary_weight ?? null;
}

export async function verdictSteps(
  ctx: StageContext,
  run: AnalysisRun,
  states: readonly RolloutState[],
): Promise<CanaryStep[]> {
  const metric = run.status?.metricResults?.find((m) => m.name === verdictMetric(ctx.model));
  const start = ctx.progress.startedAt;
  const seconds = (iso: string) => Math.round((Date.parse(iso) - start) / 100) / 10;
  const steps: CanaryStep[] = [];
  for (const [i, m] of (metric?.measurements ?? []).entries()) {
    const report = parseReport(m.value);
    if (!report) continue;
    const name = `${run.metadata.name}-${i + 1}`;
    const json = reportPath(ctx, "canary", `${name}.json`);
    await writeFile(json.abs, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(reportPath(ctx, "canary", `${name}.md`).abs, renderMarkdown(report));
    const to = seconds(report.window.end);
    steps.push({
      weight: (weightAt(states, seconds(m.finishedAt ?? report.window.end)) ?? 0) / 100,
      verdict: report.verdict,
      score: report.score ?? null,
      from: seconds(report.window.start),
      to,
      extended: false,
      baseline_track: report.tracks.stable,
      failed_metrics: failedMetrics(report),
      reasons: report.reasons,
      report: json.rel,
    });
  }
  return steps;
}

/**
 * What failed the AnalysisRun: each Failed metric by name, and for the verdict metric the
 * definition's metrics its failing report names (e.g. p95-latency).
 */
export function caughtBy(run: AnalysisRun, model: string): string[] {
  const failed: MetricResult[] = (run.status?.metricResults ?? []).filter((m) => m.phase === "Failed");
  const names = failed.flatMap((m) => {
    if (m.name !== verdictMetric(model)) return [m.name];
    const report = parseReport(m.measurements?.findLast((x) => x.phase === "Failed")?.value);
    return report ? failedMetrics(report).map((f) => f.name) : [m.name];
  });
  return [...new Set(names)];
}
