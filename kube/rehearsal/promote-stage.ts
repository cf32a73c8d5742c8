/**
 * Stage 5 on `--platform kube`: the Argo Rollouts controller has promoted the canary (the canary
 * stage ends there); this checks what the cluster now serves, the pods behind the stable Service
 * answering with the candidate's version, and makes the GitOps commit of the change Argo CD
 * synced, with _promote.yml's script and title.
 */
import { RehearsalError } from "../../tools/src/rehearse/errors.js";
import type { StageResult } from "../../tools/src/rehearse/progress.js";
import type { StageContext } from "../../tools/src/rehearse/stages/context.js";
import { waitUntil } from "../../tools/src/rehearse/wait.js";
import { RELEASE } from "../lib/helm.js";
import type { KubeProduction } from "./kube-production.js";

/**
 * Right after the promotion the stable Service's EndpointSlice still lists the old pods, and the
 * new ReplicaSet is still scaling from the canary's share to every replica: time for both.
 */
const SETTLE_MS = 90_000;

export async function kubePromote(ctx: StageContext, k: KubeProduction): Promise<StageResult> {
  const version = String(ctx.candidate.version);
  const stablePods = () => k.router.targets(`${RELEASE}-stable`);
  const replicas = async () => (await k.recorder.poll()).spec.replicas ?? 1;
  try {
    await waitUntil(
      ctx.supervisor,
      `the stable Service's pods serving v${version}`,
      async () => {
        const pods = stablePods();
        return pods.length >= (await replicas()) && pods.every((p) => p.versions.join() === version);
      },
      { timeoutMs: SETTLE_MS },
    );
  } catch (err) {
    if (!(err instanceof RehearsalError)) throw err;
    const rollout = k.recorder.latest;
    throw new RehearsalError(
      `promote: the Rollout is ${rollout?.status?.phase}; the stable Service's pods serve ${
        stablePods()
          .map((p) => `${p.name} v${p.versions.join(",")}`)
          .join(", ") || "nothing"
      }`,
    );
  }
  const rollout = await k.recorder.poll();
  const stable = stablePods();
  const commit = await ctx.gitops.promote({ model: ctx.model, version: ctx.candidate.version });
  await k.recorder.collect();
  return {
    status: "passed",
    summary:
      `the Argo Rollouts controller made ReplicaSet ${rollout.status?.stableRS} stable (${rollout.status?.phase}); ` +
      `the stable Service's ${stable.length} pods serve v${version} (${stable.map((p) => p.name).join(", ")}); ` +
      `GitOps commit "${commit}" of the change Argo CD synced (the report's gitops/ repository)`,
  };
}
