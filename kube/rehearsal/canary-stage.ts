/**
 * Stage 4 on `--platform kube`: the canary as the Argo Rollouts controller runs it. The candidate
 * reaches the Rollout the way the GitOps commit brings it: set-values.ts changes
 * config.versionPolicy in the GitOps repository's values file and `helm upgrade` syncs it as Argo
 * CD would. The controller creates the canary ReplicaSet and walks prod's steps, its AnalysisRun
 * judging in the background (the verdict endpoint, the fast-fail queries) over Prometheus's data
 * of the pods' processes, while production's traffic goes where the Ingress weights send it. The
 * stage ends when the controller has promoted the canary or aborted it; after an abort the change
 * is withdrawn and synced back, and the Rollout is Healthy on the stable it never left.
 */
import { mkdir } from "node:fs/promises";
import { RehearsalError } from "../../tools/src/rehearse/errors.js";
import type { StageResult } from "../../tools/src/rehearse/progress.js";
import { reportPath, type StageContext } from "../../tools/src/rehearse/stages/context.js";
import { waitUntil } from "../../tools/src/rehearse/wait.js";
import { VALUES_FILE, versionPolicy } from "../../tools/src/rehearse/workflow-commands.js";
import { helmOk, releaseArgs } from "../lib/helm.js";
import { followRollout } from "./follow-rollout.js";
import type { KubeProduction } from "./kube-production.js";
import { ENVIRONMENT, NAMESPACE } from "./lines.js";
import type { AnalysisRun, Rollout } from "./objects.js";
import { controllerSummary } from "./summary.js";
import { caughtBy, verdictMetric, verdictSteps } from "./verdicts.js";

/** Room beyond the steps' pauses for the controller, the analysis and the pods' processes. */
const SLACK_MS = 180_000;

export async function kubeCanary(ctx: StageContext, k: KubeProduction): Promise<StageResult> {
  await mkdir(reportPath(ctx, "canary").abs, { recursive: true });
  const stageStart = k.recorder.at();
  const before = await k.recorder.poll();
  const stable = before.status?.stableRS ?? "";
  const policy = versionPolicy(ctx.candidate.version);
  await ctx.gitops.propose({ model: ctx.model, version: ctx.candidate.version });
  await sync(ctx, k, `${VALUES_FILE} with config.versionPolicy=${policy} (set-values.ts)`);
  const followed = await followRollout(ctx, k, stable, pausesMs(before) + SLACK_MS);
  const hash = followed.rollout.status?.currentPodHash ?? "";
  const stepCount = followed.rollout.spec.strategy.canary?.steps?.length ?? 0;
  const run = await analysisRunDone(ctx, k, hash);
  if (run) ctx.canarySteps.push(...(await verdictSteps(ctx, run, k.recorder.rollout)));
  const reports = ctx.canarySteps.map((s) => s.report);
  const summarise = () =>
    controllerSummary(
      k.recorder.actions(stageStart),
      k.recorder.rollout.filter((s) => s.at >= stageStart),
      stepCount,
      run,
      verdictMetric(ctx.model),
    );
  if (followed.outcome === "promoted") {
    return { status: "passed", summary: summarise(), reports };
  }
  k.caught = run ? caughtBy(run, ctx.model) : [];
  ctx.progress.line(`  aborted by the controller; caught by ${k.caught.join(", ") || "nothing named"}`);
  await ctx.gitops.withdraw();
  await sync(ctx, k, `${VALUES_FILE} back to the commit (the change withdrawn)`);
  await waitUntil(
    ctx.supervisor,
    "the Rollout Healthy on its stable ReplicaSet again",
    async () => {
      const s = (await k.recorder.poll()).status ?? {};
      return s.phase === "Healthy" && s.stableRS === stable && !s.abort;
    },
    { timeoutMs: 120_000 },
  );
  await k.recorder.collect();
  return {
    status: "failed",
    summary: `${summarise()}; caught by ${k.caught.join(", ") || "nothing named"}; rolled back: production answers with v${ctx.stableVersion} on ReplicaSet ${stable}`,
    reports,
  };
}

/**
 * The canary's AnalysisRun once the controller has ended it (a promotion terminates it as
 * Successful, an abort leaves it Failed), read again for up to 20 s; as it is then if it has not.
 */
async function analysisRunDone(
  ctx: StageContext,
  k: KubeProduction,
  hash: string,
): Promise<AnalysisRun | undefined> {
  const find = async () =>
    (await k.recorder.collect()).find((r) => r.metadata.labels?.["rollouts-pod-template-hash"] === hash);
  await waitUntil(
    ctx.supervisor,
    "the AnalysisRun ended",
    async () => !["Running", "Pending", undefined].includes((await find())?.status?.phase),
    { timeoutMs: 20_000 },
  ).catch((err) => {
    if (!(err instanceof RehearsalError)) throw err;
  });
  return find();
}

/** Argo CD's sync of the GitOps repository: helm upgrade with its helm arguments for the environment. */
async function sync(ctx: StageContext, k: KubeProduction, what: string): Promise<void> {
  ctx.progress.line(`  sync (helm upgrade, as Argo CD): ${what}`);
  try {
    await helmOk(k.plane.kubeconfig, releaseArgs("upgrade", NAMESPACE, k.helmArgs));
  } catch (err) {
    throw new RehearsalError(`helm upgrade (the sync) failed: ${(err as Error).message}`);
  }
  k.recorder.act(
    "rehearsal, as Argo CD",
    `Application/infergate-${ENVIRONMENT}`,
    "Sync",
    `helm upgrade: ${what}`,
  );
}

/** The timed pauses of the Rollout's steps, in ms. */
function pausesMs(r: Rollout): number {
  const seconds = (d: string) => Number.parseInt(d, 10) * ({ s: 1, m: 60, h: 3600 }[d.slice(-1)] ?? 1);
  const steps = r.spec.strategy.canary?.steps ?? [];
  return steps.reduce((sum, s) => sum + (s.pause?.duration ? seconds(s.pause.duration) * 1000 : 0), 0);
}
