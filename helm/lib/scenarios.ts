/**
 * The scenarios the template tests render: the chart's defaults and each environment as Argo CD
 * deploys it (values-<env>.yaml, then the parameters its ApplicationSet takes from the cluster
 * Secret Terraform writes), each with the Argo Rollouts canary off and on.
 */
import { argoCdHelmArgs, ENVIRONMENTS } from "../../scripts/lib/argocd-environments.js";
import { chartValues, type Rendered, renderChart, type Values } from "./chart.js";

export type Scenario = {
  /** "defaults" or the environment. */
  label: string;
  rollout: boolean;
  /** Test-name prefix, e.g. "prod rollout=on". */
  name: string;
  /** The chart's values for the scenario (defaults with the environment's values file over them). */
  values: Values;
};

export const SCENARIOS: Scenario[] = ["defaults", ...ENVIRONMENTS].flatMap((label) =>
  [false, true].map((rollout) => ({
    label,
    rollout,
    name: `${label} rollout=${rollout ? "on" : "off"}`,
    values: chartValues(label === "defaults" ? undefined : `values-${label}.yaml`),
  })),
);

// One ApplicationSet expansion per environment and test file, shared by its two scenarios.
const argoCdArgs = new Map<string, Promise<string[]>>();

/** The helm arguments of a scenario: Argo CD's for an environment, then the canary switch. */
export async function scenarioArgs(s: Scenario): Promise<string[]> {
  let envArgs = argoCdArgs.get(s.label);
  if (!envArgs) {
    envArgs = s.label === "defaults" ? Promise.resolve([]) : argoCdHelmArgs(s.label);
    argoCdArgs.set(s.label, envArgs);
  }
  return [...(await envArgs), "--set", `rollout.enabled=${s.rollout}`];
}

export async function renderScenario(s: Scenario): Promise<Rendered> {
  return renderChart(await scenarioArgs(s));
}

/** The value a `--set`/`--set-string` argument gives `key`, if any (the last one wins, as in helm). */
export function setValue(args: readonly string[], key: string): string | undefined {
  let value: string | undefined;
  args.forEach((arg, i) => {
    const flag = args[i - 1];
    if ((flag === "--set" || flag === "--set-string") && arg.startsWith(`${key}=`))
      value = arg.slice(key.length + 1);
  });
  return value;
}
