/**
 * Following the Rollout while the Argo Rollouts controller walks the canary: a progress line per
 * step it reaches, until it has promoted the canary (Healthy on a new stable ReplicaSet) or
 * aborted it. At an untimed pause (prod's manual gate) the rehearsal plays the operator: it
 * promotes as `kubectl argo rollouts promote` does (status.pauseConditions cleared) once the
 * AnalysisRun's latest verdict is promote, and aborts as `kubectl argo rollouts abort` does if no
 * promote comes within three verdict intervals, as the local canary rolls back after a hold.
 */
import { RehearsalError } from "../../tools/src/rehearse/errors.js";
import type { StageContext } from "../../tools/src/rehearse/stages/context.js";
import { pause } from "../../tools/src/rehearse/wait.js";
import { kubectl } from "../lib/kubectl.js";
import type { KubeProduction } from "./kube-production.js";
import { NAMESPACE } from "./lines.js";
import { type AnalysisRun, describeStep, type Rollout } from "./objects.js";
import { verdictMetric } from "./verdicts.js";

/** How long the operator waits at the gate for a promote verdict: three 10 s verdict intervals. */
const GATE_PATIENCE_MS = 30_000;

export type Followed = { outcome: "promoted" | "aborted"; rollout: Rollout };

export async function followRollout(
  ctx: StageContext,
  k: KubeProduction,
  stableBefore: string,
  timeoutMs: number,
): Promise<Followed> {
  const deadline = Date.now() + timeoutMs;
  let shown = "";
  let atGateSince: number | undefined;
  let decided = false;
  for (;;) {
    const r = await k.recorder.poll();
    const s = r.status ?? {};
    const steps = r.spec.strategy.canary?.steps ?? [];
    const index = s.currentStepIndex ?? 0;
    // On an abort the controller resets the step index: the step it stopped at is no longer there.
    const line = s.abort
      ? `aborted, canary weight ${s.canary?.weights?.canary?.weight ?? 0} %, ${s.phase ?? "?"}`
      : `step ${Math.min(index + 1, steps.length)}/${steps.length} (${describeStep(steps[index])}), canary weight ${s.canary?.weights?.canary?.weight ?? 0} %, ${s.phase ?? "?"}`;
    if (line !== shown) {
      shown = line;
      ctx.progress.line(`  Argo Rollouts: ${line}`);
    }
    if (s.abort) return { outcome: "aborted", rollout: r };
    if (s.phase === "Healthy" && s.stableRS && s.stableRS !== stableBefore && s.currentPodHash === s.stableRS)
      return { outcome: "promoted", rollout: r };
    const gate = steps[index]?.pause && !steps[index]?.pause?.duration;
    if (!decided && gate && s.pauseConditions?.some((c) => c.reason === "CanaryPauseStep")) {
      atGateSince ??= Date.now();
      const verdict = await latestVerdict(ctx, k, s.currentPodHash ?? "");
      const act =
        verdict === "promote" ? "promote" : Date.now() - atGateSince > GATE_PATIENCE_MS ? "abort" : undefined;
      if (act) {
        await operator(ctx, k, act, index, steps.length);
        decided = true;
      }
    }
    if (Date.now() > deadline)
      throw new RehearsalError(
        `the Rollout was neither promoted nor aborted within ${timeoutMs / 1000} s; last: ${line} ${s.message ?? ""}`,
      );
    await pause(ctx.supervisor, 500);
  }
}

/** The verdict the AnalysisRun of the canary with this pod template hash measured last. */
async function latestVerdict(
  ctx: StageContext,
  k: KubeProduction,
  hash: string,
): Promise<string | undefined> {
  const runs = await k.plane.api.get<{ items: AnalysisRun[] }>(
    `/apis/argoproj.io/v1alpha1/namespaces/${NAMESPACE}/analysisruns?labelSelector=${encodeURIComponent(`rollouts-pod-template-hash=${hash}`)}`,
  );
  const metric = runs.items[0]?.status?.metricResults?.find((m) => m.name === verdictMetric(ctx.model));
  try {
    return (JSON.parse(metric?.measurements?.at(-1)?.value ?? "{}") as { verdict?: string }).verdict;
  } catch {
    return undefined;
  }
}

/** What `kubectl argo rollouts promote|abort infergate` patches: the Rollout's status. */
async function operator(
  ctx: StageContext,
  k: KubeProduction,
  act: "promote" | "abort",
  index: number,
  steps: number,
): Promise<void> {
  const patch = act === "promote" ? { status: { pauseConditions: null } } : { status: { abort: true } };
  const args = ["-n", NAMESPACE, "patch", "rollout/infergate", "--subresource=status", "--type=merge"];
  const r = await kubectl(k.plane.kubeconfig, [...args, "-p", JSON.stringify(patch)]);
  if (r.code !== 0) throw new RehearsalError(`kubectl argo rollouts ${act}: ${r.stderr}`);
  const why =
    act === "promote"
      ? "the AnalysisRun's latest verdict is promote"
      : `no promote verdict within ${GATE_PATIENCE_MS / 1000} s`;
  k.recorder.act(
    "rehearsal, as the operator",
    "Rollout/infergate",
    act === "promote" ? "Promote" : "Abort",
    `kubectl argo rollouts ${act} infergate at the manual gate (step ${index + 1}/${steps}): ${why}`,
  );
  ctx.progress.line(`  operator (the rehearsal): ${act} at the manual gate, ${why}`);
}
