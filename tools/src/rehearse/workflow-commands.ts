/**
 * The commands the rehearsal's stages run, built in one place: the same npm scripts and
 * repository scripts, with the same data and thresholds, as the model workflow's steps
 * (.github/workflows/model.yml and the reusable _accuracy-gate.yml, _load-gate.yml and
 * _promote.yml). tools/test/rehearse/workflow-parity.test.ts reads the workflows and fails when
 * the two drift apart. Where the rehearsal must differ, the difference is named here.
 */
import { npmScript, tsxScript } from "./checkout.js";

export type StageCommand = {
  /** npm: `npm run <script> -- <args>`; tsx: `npx tsx <script> <args>`. */
  via: "npm" | "tsx";
  script: string;
  args: string[];
};

/** The rows model.yml hands the accuracy gate. */
export const ACCURACY_DATA = "models/repository/digits/validation.jsonl";
/** The k6 stage model.yml runs (its rate and thresholds come from loadtest/stages.json). */
export const LOAD_STAGE = "load";
/** The values file of the environment the rehearsal plays (production). */
export const VALUES_FILE = "helm/infergate/values-prod.yaml";
/** model.yml's `version-policy` input default: the policy proposed for the new version. */
export const VERSION_POLICY_TEMPLATE = "specific:{version}";

/**
 * What the rehearsal does differently, and why; printed in every report.
 * - load gate: _load-gate.yml builds and passes --built (the compiled dist/, as the image runs);
 *   the rehearsal runs the same code from source (a build would cost a minute), and k6 drives it
 *   for --load-duration instead of the stage's 60 s (same rate, same thresholds).
 */
export const DIFFERENCES = [
  "load gate: runs the service from source, not the compiled build (--built), for --load-duration instead of the stage's 60 s; rate and thresholds are the stage's",
] as const;

export function versionPolicy(version: number): string {
  return VERSION_POLICY_TEMPLATE.replace("{version}", String(version));
}

/** _accuracy-gate.yml: the baseline "production" is the version the prod values serve. */
export function productionModelCommand(valuesFile: string, repository: string): StageCommand {
  return {
    via: "tsx",
    script: ".github/scripts/production-model.ts",
    args: ["--values", valuesFile, "--repository", repository],
  };
}

export function accuracyGateCommand(o: {
  candidate: string;
  baseline: string;
  reports: string;
}): StageCommand {
  return {
    via: "npm",
    script: "gate:accuracy",
    args: [
      "--candidate",
      o.candidate,
      "--baseline",
      o.baseline,
      "--data",
      ACCURACY_DATA,
      "--json-out",
      `${o.reports}/report.json`,
      "--markdown-out",
      `${o.reports}/report.md`,
    ],
  };
}

/** model.yml's publish job (the S3 endpoint comes from INFERGATE_S3_* in the environment). */
export function publishCommand(source: string, target: string): StageCommand {
  return { via: "npm", script: "publish:model", args: ["--source", source, "--target", target] };
}

export function loadGateCommand(o: {
  candidate: string;
  summaryDir: string;
  duration: string;
}): StageCommand {
  return {
    via: "npm",
    script: "gate:load",
    args: [
      "--stage",
      LOAD_STAGE,
      "--summary-dir",
      o.summaryDir,
      "--candidate",
      o.candidate,
      "--duration",
      o.duration,
    ],
  };
}

/** _promote.yml's Apply step with model.yml's `set`: config.versionPolicy=<policy>. */
export function setValuesCommand(valuesFile: string, version: number): StageCommand {
  return {
    via: "tsx",
    script: ".github/scripts/set-values.ts",
    args: ["--file", valuesFile, "--set", `config.versionPolicy=${versionPolicy(version)}`],
  };
}

/** The process to start for a stage command, from the checkout root. */
export function commandLine(root: string, c: StageCommand): { command: string; args: string[] } {
  const base = c.via === "npm" ? npmScript(root, c.script) : tsxScript(c.script);
  return { command: base.command, args: [...base.args, ...c.args] };
}
