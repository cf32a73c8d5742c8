import type { MetricResult } from "./classify/types.js";
import type { ResolvedJudgement } from "./definition/judgement.js";

/**
 * The verdict over the classified metrics, in the manner of Kayenta's judge: critical metrics
 * and hard limits (Kayenta's critical effect sizes: a significant difference beyond them) can
 * fail the run outright; the rest becomes a 0-100 score against pass and marginal cut-offs.
 */

export type Verdict = "promote" | "hold" | "rollback";

export type Decision = { verdict: Verdict; score?: number; reasons: string[] };

/**
 * rollback: a hard limit breached (significantly worse and beyond it), a critical metric failed,
 * or a score below marginal.
 * hold: a critical metric (or every metric) without enough data, or a marginal score.
 * promote: a score at or above the pass cut-off.
 */
export function decide(results: readonly MetricResult[], j: ResolvedJudgement): Decision {
  const reasons: string[] = [];
  const breached = results.filter((r) => r.effect?.hardLimitBreached);
  const criticalFailed = results.filter(
    (r) => r.critical && r.passed === false && !r.effect?.hardLimitBreached,
  );
  for (const r of breached) reasons.push(`${r.name}: ${r.reason}`);
  for (const r of criticalFailed) reasons.push(`${r.name} (critical): ${r.reason}`);
  const scored = results.filter((r) => r.class !== "nodata" && r.weight > 0);
  const total = scored.reduce((s, r) => s + r.weight, 0);
  const score =
    total > 0 ? (100 * scored.filter((r) => r.passed).reduce((s, r) => s + r.weight, 0)) / total : undefined;
  const rounded = score === undefined ? {} : { score: Math.round(score * 10) / 10 };
  if (breached.length > 0 || criticalFailed.length > 0) return { verdict: "rollback", ...rounded, reasons };
  const criticalNoData = results.filter((r) => r.critical && r.class === "nodata");
  if (criticalNoData.length > 0 || score === undefined) {
    for (const r of criticalNoData) reasons.push(`${r.name} (critical): ${r.reason}`);
    if (score === undefined) reasons.push("no metric has enough data to judge");
    return { verdict: "hold", ...rounded, reasons };
  }
  for (const r of scored.filter((x) => !x.passed)) reasons.push(`${r.name}: ${r.reason}`);
  const s = rounded.score ?? score;
  if (s >= j.score.pass) return { verdict: "promote", score: s, reasons };
  if (s >= j.score.marginal) {
    reasons.push(`score ${s} is marginal (pass >= ${j.score.pass}, marginal >= ${j.score.marginal})`);
    return { verdict: "hold", score: s, reasons };
  }
  reasons.push(`score ${s} below the marginal cut-off ${j.score.marginal}`);
  return { verdict: "rollback", score: s, reasons };
}

/** Exit codes: 0 promote, 1 rollback, 3 hold (2 is usage or query error). `argo`: hold exits 0. */
export function exitCode(verdict: Verdict, mode: "default" | "argo" = "default"): number {
  if (verdict === "promote") return 0;
  if (verdict === "rollback") return 1;
  return mode === "argo" ? 0 : 3;
}
