/**
 * The canary stage's one-line summary of who did what, from what the API server holds: the
 * ReplicaSet the Argo Rollouts controller created (its Event), the steps it walked and how it
 * ended (the Rollout's status as polled: the controller's Events on one object are rate-limited by
 * client-go's recorder, 25 in a burst, so later steps may have no Event), the AnalysisRun's phase
 * and the verdicts it measured, and the rehearsal's own acts in Argo CD's or an operator's place.
 */
import type { ClusterAction, RolloutState } from "../../tools/src/rehearse/report/types.js";
import type { AnalysisRun } from "./objects.js";

const CONTROLLER = "Argo Rollouts controller";

/** "1 hold, 5 promote": how many of each verdict a metric measured. */
function verdictCounts(run: AnalysisRun, metric: string): string {
  const counts = new Map<string, number>();
  for (const m of run.status?.metricResults?.find((r) => r.name === metric)?.measurements ?? []) {
    let verdict = m.phase;
    try {
      verdict = (JSON.parse(m.value ?? "") as { verdict?: string }).verdict ?? m.phase;
    } catch {
      // no report: the measurement's phase (Error) is what there is
    }
    counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
  }
  return [...counts].map(([verdict, n]) => `${n} ${verdict}`).join(", ") || "none";
}

/**
 * "steps 1–7/7 walked (canary weight 5, 25, 50, 100 %); promoted: ReplicaSet x stable", from the
 * Rollout's states during the stage (an abort counts wherever it is: the states go on to the
 * rollback's Healthy).
 */
export function walked(states: readonly RolloutState[], stepCount: number): string {
  const abortAt = states.findIndex((s) => s.abort);
  const upTo = abortAt < 0 ? states : states.slice(0, abortAt + 1);
  const indices = upTo.map((s) => Number.parseInt(s.step, 10)).filter((i) => Number.isFinite(i));
  const reached = Math.min(Math.max(0, ...indices) + 1, stepCount);
  const weights = [...new Set(upTo.map((s) => s.canary_weight).filter((w) => w !== null && w > 0))];
  const first = states[0];
  const last = states.at(-1);
  const end =
    abortAt >= 0
      ? `aborted at step ${reached}/${stepCount}: ${states[abortAt]?.message}`
      : last?.phase === "Healthy" && last.stable !== first?.stable
        ? `promoted: ReplicaSet ${last.stable} stable`
        : `not ended (${last?.phase ?? "?"})`;
  return `steps 1–${reached}/${stepCount} walked (canary weight ${weights.join(", ") || "0"} %); ${end}`;
}

export function controllerSummary(
  actions: ClusterAction[],
  states: readonly RolloutState[],
  stepCount: number,
  run: AnalysisRun | undefined,
  verdictMetric: string,
): string {
  const created = actions
    .filter((a) => a.controller === CONTROLLER && a.reason === "NewReplicaSetCreated")
    .map((a) => a.message.replace(/^Created /, "created "));
  const analysis = run
    ? `AnalysisRun ${run.metadata.name} ${run.status?.phase ?? "?"} (verdicts: ${verdictCounts(run, verdictMetric)})`
    : "no AnalysisRun";
  const own = actions
    .filter((a) => a.controller.startsWith("rehearsal"))
    .map((a) => `${a.controller}: ${a.message}`);
  return [
    `${CONTROLLER}: ${created.join("; ") || "no ReplicaSet created"}; ${walked(states, stepCount)}; ${analysis}`,
    ...own,
  ].join("; ");
}
