/**
 * An environment with the Argo Rollouts canary on, deployed as GitOps deploys it: Argo CD's helm
 * arguments, but with a copy of the environment's values file that is changed the way the GitOps
 * commit changes it (.github/scripts/set-values.ts: `config.versionPolicy=specific:N`). What a
 * local run needs on top: the model repository it can reach, Prometheus and the verdict endpoint
 * at addresses the controller (outside the cluster) reaches, and short steps and analysis intervals.
 */
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { argoCdHelmArgs, type Environment } from "../../scripts/lib/argocd-environments.js";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { runOk } from "../../scripts/lib/run.js";
import { CHART } from "./helm.js";

export type CanaryEndpoints = { prometheus: string; verdicts: string };
export type CanaryStep = { setWeight?: number; pause?: { duration?: string } };

/** The canary steps a values file sets, or else the chart's own (values.yaml). */
export function stepsOf(valuesFile: string): CanaryStep[] {
  type Values = { rollout?: { steps?: CanaryStep[] } };
  const own = (parse(readFileSync(valuesFile, "utf8")) as Values | null)?.rollout?.steps;
  if (own) return own;
  const chart = parse(readFileSync(join(REPO_ROOT, CHART, "values.yaml"), "utf8")) as Values;
  return chart.rollout?.steps ?? [];
}

/**
 * The steps with each timed pause cut to 1/`divisor` (at least 5 s): the same walk, faster. An
 * untimed pause (a manual gate) stays one.
 */
export function shortenedSteps(steps: CanaryStep[], divisor: number): CanaryStep[] {
  const seconds = (d: string) => Number.parseInt(d, 10) * ({ s: 1, m: 60, h: 3600 }[d.slice(-1)] ?? 1);
  return steps.map((step) =>
    step.pause?.duration
      ? { pause: { duration: `${Math.max(5, Math.round(seconds(step.pause.duration) / divisor))}s` } }
      : step,
  );
}

/** A copy of values-dev.yaml in `dir`, the file the test's "commits" change. */
export function copyDevValues(dir: string): string {
  const file = join(dir, "values-dev.yaml");
  copyFileSync(join(REPO_ROOT, CHART, "values-dev.yaml"), file);
  return file;
}

export type CanaryRelease = {
  env: Environment;
  /** The environment's values file as the GitOps commit changes it (Argo CD's copy is replaced by it). */
  valuesFile: string;
  endpoints: CanaryEndpoints;
  /**
   * What this machine serves from (config.modelRepository, the S3 endpoint): strings go as
   * `--set-string`, booleans as `--set` (the chart's schema types them).
   */
  config: Record<string, string | boolean>;
  /** Each timed pause of the environment's steps is cut to 1/pauseDivisor. */
  pauseDivisor: number;
};

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

export async function canaryHelmArgs(release: CanaryRelease): Promise<string[]> {
  const { env, valuesFile, endpoints } = release;
  const argoCd = await argoCdHelmArgs(env);
  const envFile = `${CHART}/values-${env}.yaml`;
  if (!argoCd.includes(envFile)) throw new Error(`Argo CD no longer passes ${envFile}: ${argoCd.join(" ")}`);
  const set = (pairs: Record<string, string | boolean>) =>
    Object.entries(pairs).flatMap(([k, v]) => [
      typeof v === "boolean" ? "--set" : "--set-string",
      `${k}=${v}`,
    ]);
  const steps = shortenedSteps(stepsOf(valuesFile), release.pauseDivisor);
  return [
    ...argoCd.map((arg) => (arg === envFile ? valuesFile : arg)),
    "--set",
    "rollout.enabled=true",
    "--set",
    "metrics.serviceMonitor.trackFromPodLabel=true",
    "--set-json",
    `rollout.steps=${JSON.stringify(steps)}`,
    ...set({
      ...release.config,
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
