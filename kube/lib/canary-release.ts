/**
 * The dev environment with the Argo Rollouts canary on, deployed as GitOps deploys it: Argo CD's
 * helm arguments, but with a copy of values-dev.yaml that the test changes the way the GitOps
 * commit does (.github/scripts/set-values.ts: `config.versionPolicy=specific:N`). What a local
 * run needs on top: the model repository on this machine, Prometheus and the verdict endpoint at
 * addresses the controller (outside the cluster) reaches, and short steps and analysis intervals.
 */
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { argoCdHelmArgs } from "../../scripts/lib/argocd-environments.js";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { runOk } from "../../scripts/lib/run.js";
import { CHART } from "./helm.js";

export type CanaryEndpoints = { modelRepository: string; prometheus: string; verdicts: string };

/** The chart's own canary steps with each pause cut to a tenth (at least 5 s): the same walk, faster. */
export function shortenedSteps(): object[] {
  const values = parse(readFileSync(join(REPO_ROOT, CHART, "values.yaml"), "utf8")) as {
    rollout: { steps: { setWeight?: number; pause?: { duration?: string } }[] };
  };
  const seconds = (d: string) => Number.parseInt(d, 10) * ({ s: 1, m: 60, h: 3600 }[d.slice(-1)] ?? 1);
  return values.rollout.steps.map((step) =>
    step.pause?.duration
      ? { pause: { duration: `${Math.max(5, Math.round(seconds(step.pause.duration) / 10))}s` } }
      : step,
  );
}

/** A copy of values-dev.yaml in `dir`, the file the test's "commits" change. */
export function copyDevValues(dir: string): string {
  const file = join(dir, "values-dev.yaml");
  copyFileSync(join(REPO_ROOT, CHART, "values-dev.yaml"), file);
  return file;
}

/** What the GitOps commit does: one key of the values file changed in place. */
export async function commitValue(file: string, keyValue: string): Promise<void> {
  await runOk(join(REPO_ROOT, "node_modules/.bin/tsx"), [
    ".github/scripts/set-values.ts",
    "--file",
    file,
    "--set",
    keyValue,
  ]);
}

export async function canaryHelmArgs(valuesFile: string, endpoints: CanaryEndpoints): Promise<string[]> {
  const argoCd = await argoCdHelmArgs("dev");
  const devFile = `${CHART}/values-dev.yaml`;
  if (!argoCd.includes(devFile)) throw new Error(`Argo CD no longer passes ${devFile}: ${argoCd.join(" ")}`);
  const set = (pairs: Record<string, string>) =>
    Object.entries(pairs).flatMap(([k, v]) => ["--set-string", `${k}=${v}`]);
  return [
    ...argoCd.map((arg) => (arg === devFile ? valuesFile : arg)),
    "--set",
    "rollout.enabled=true",
    "--set",
    "metrics.serviceMonitor.trackFromPodLabel=true",
    "--set-json",
    `rollout.steps=${JSON.stringify(shortenedSteps())}`,
    ...set({
      "config.modelRepository": `file://${endpoints.modelRepository}`,
      "rollout.analysis.prometheusAddress": endpoints.prometheus,
      "rollout.analysis.window": "20s",
      "rollout.analysis.step": "2s",
      "rollout.analysis.fastFailInterval": "5s",
      "rollout.analysis.judge.provider": "web",
      "rollout.analysis.judge.web.url": endpoints.verdicts,
      "rollout.analysis.judge.interval": "10s",
      "rollout.analysis.judge.initialDelay": "20s",
    }),
  ];
}
