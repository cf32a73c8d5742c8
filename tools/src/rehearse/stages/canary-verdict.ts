/**
 * The canary verdict over one step's window: the canary judge's judge() (what `infergate canary
 * evaluate` and `canary serve` run) with the definition the chart's AnalysisTemplate is generated
 * from, helm/infergate/files/canary-analysis.yaml, its thresholds untouched; only the window and
 * the interval are the rehearsal's (the chart sets them per environment too).
 */
import { writeFile } from "node:fs/promises";
import { loadDefinition } from "../../canary-judge/definition/load.js";
import { judge } from "../../canary-judge/judge.js";
import { PrometheusClient } from "../../canary-judge/prometheus.js";
import { type CanaryReport, renderMarkdown } from "../../canary-judge/report.js";
import type { CanaryStep } from "../report/types.js";
import { reportPath, type StageContext } from "./context.js";

/** Per-interval samples of three scrapes each (the definition asks for at least two). */
export const INTERVAL_SECONDS = 3;

export type Window = { weight: number; from: number; to: number; extended: boolean; baselineTrack: string };

/** No file and no $INFERGATE_CANARY_ANALYSIS: the repository's own, the chart's, definition. */
export function verdictDefinition() {
  return loadDefinition(undefined, {});
}

export async function judgeWindow(ctx: StageContext, w: Window): Promise<CanaryStep> {
  const { definition, source } = await verdictDefinition();
  const seconds = w.to - w.from;
  const report: CanaryReport = await judge({
    client: new PrometheusClient(ctx.site.prometheus.url),
    definition,
    source,
    model: ctx.model,
    windowSeconds: seconds,
    stepSeconds: INTERVAL_SECONDS,
    end: w.to,
    selector: ctx.site.prometheus.selector,
    tracks: { stable: w.baselineTrack, candidate: "canary" },
  });
  const name = `step-${Math.round(w.weight * 100)}${w.extended ? "-extended" : ""}`;
  const json = reportPath(ctx, "canary", `${name}.json`);
  await writeFile(json.abs, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(reportPath(ctx, "canary", `${name}.md`).abs, renderMarkdown(report));
  const start = ctx.progress.startedAt / 1000;
  return {
    weight: w.weight,
    verdict: report.verdict,
    score: report.score ?? null,
    from: Math.round((w.from - start) * 10) / 10,
    to: Math.round((w.to - start) * 10) / 10,
    extended: w.extended,
    baseline_track: w.baselineTrack,
    failed_metrics: report.metrics
      .filter((m) => m.passed === false)
      .map((m) => ({ name: m.name, reason: m.reason })),
    reasons: report.reasons,
    report: json.rel,
  };
}

export function describeStep(s: CanaryStep): string {
  const score = s.score === null ? "no score" : `score ${s.score}`;
  const failed = s.failed_metrics.map((m) => m.name).join(", ");
  return `${Math.round(s.weight * 100)} %${s.extended ? " (extended)" : ""}: ${s.verdict.toUpperCase()} (${score}${failed ? `; failed: ${failed}` : ""})`;
}
