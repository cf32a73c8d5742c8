import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../../../service/test/support/paths.js";
import { THRESHOLD_FLAGS } from "../../src/accuracy-gate/thresholds.js";
import { promotionTitle } from "../../src/rehearse/gitops.js";
import { CANARY_STEPS } from "../../src/rehearse/stages/canary.js";
import { verdictDefinition } from "../../src/rehearse/stages/canary-verdict.js";
import {
  ACCURACY_DATA,
  accuracyGateCommand,
  DIFFERENCES,
  LOAD_STAGE,
  loadGateCommand,
  productionModelCommand,
  publishCommand,
  type StageCommand,
  setValuesCommand,
  VALUES_FILE,
  VERSION_POLICY_TEMPLATE,
} from "../../src/rehearse/workflow-commands.js";

/**
 * The rehearsal and the model workflow cannot drift apart: each stage runs the script the
 * workflow step runs, with the same data, stage, values file and policy, and neither passes a
 * threshold of its own (both take the gates' defaults, loadtest/stages.json and the canary
 * definition). Read from the workflows themselves: model.yml and the reusable _accuracy-gate.yml,
 * _load-gate.yml and _promote.yml.
 */
type Step = { run?: string };
type Job = { uses?: string; with?: Record<string, string>; steps?: Step[] };
type Workflow = {
  on: { workflow_dispatch?: { inputs: Record<string, { default?: string }> } };
  jobs: Record<string, Job>;
};

const workflow = (name: string) =>
  parse(readFileSync(join(REPO_ROOT, ".github", "workflows", name), "utf8")) as Workflow;
const model = workflow("model.yml");

/** The run script of the one step of `file` whose script contains `text`. */
function stepRunning(file: string, text: string): string {
  const runs = Object.values(workflow(file).jobs)
    .flatMap((j) => j.steps ?? [])
    .map((s) => s.run ?? "")
    .filter((r) => r.includes(text));
  expect(runs, `${file}: steps running ${text}`).toHaveLength(1);
  return runs[0] as string;
}

/** The long flags a script or a command passes. */
const flags = (text: string) => new Set(text.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? []);
const commandFlags = (c: StageCommand) => flags(c.args.join(" "));
const ARGS = { candidate: "c", baseline: "b", reports: "r", summaryDir: "s", duration: "20s" };

describe("the rehearsal runs the model workflow's commands", () => {
  it("accuracy gate: npm run gate:accuracy with model.yml's data against production, no thresholds of its own", () => {
    const job = model.jobs["accuracy-gate"] as Job;
    expect(job.uses).toBe("./.github/workflows/_accuracy-gate.yml");
    expect(job.with).toMatchObject({ baseline: "production", data: ACCURACY_DATA });
    const gate = stepRunning("_accuracy-gate.yml", "npm run gate:accuracy");
    const rehearsal = accuracyGateCommand(ARGS);
    expect(gate).toContain(`npm run ${rehearsal.script} --`);
    expect(commandFlags(rehearsal)).toEqual(flags(gate));
    const thresholds = [...THRESHOLD_FLAGS.classification, ...THRESHOLD_FLAGS.regression].map(
      (f) => `--${f}`,
    );
    for (const flag of thresholds) {
      expect(flags(gate).has(flag)).toBe(false);
      expect(commandFlags(rehearsal).has(flag)).toBe(false);
    }
  });

  it("baseline: production-model.ts on the prod values file and production's repository", () => {
    const resolve = stepRunning("_accuracy-gate.yml", "production-model.ts");
    const rehearsal = productionModelCommand(VALUES_FILE, "s3://bucket/models");
    expect(resolve).toContain(`npx tsx ${rehearsal.script}`);
    expect(resolve).toContain(`prod=(--values ${VALUES_FILE})`);
    expect(resolve).toContain('prod+=(--repository "$PROD_MODEL_REPOSITORY_URI")');
    expect([...commandFlags(rehearsal)]).toEqual(["--values", "--repository"]);
  });

  it("publish: npm run publish:model --source --target, as model.yml's publish job", () => {
    const step = stepRunning("model.yml", "npm run publish:model");
    const rehearsal = publishCommand("candidate/digits/3", "s3://bucket/models");
    expect(step).toContain(`npm run ${rehearsal.script} -- --source "$SOURCE" --target "$TARGET"`);
    expect(commandFlags(rehearsal)).toEqual(
      flags(step.slice(step.indexOf("npm run"), step.indexOf("\n", step.indexOf("npm run")))),
    );
  });

  it("load gate: npm run gate:load, model.yml's stage, the stage's thresholds; only --built and the duration differ, and say so", () => {
    const job = model.jobs["load-gate"] as Job;
    expect(job.uses).toBe("./.github/workflows/_load-gate.yml");
    expect(job.with?.stage).toBe(LOAD_STAGE);
    expect(job.with?.duration).toBeUndefined();
    const gate = stepRunning("_load-gate.yml", "npm run gate:load");
    const rehearsal = loadGateCommand(ARGS);
    expect(gate).toContain(`npm run ${rehearsal.script} -- "\${args[@]}"`);
    const workflowOnly = [...flags(gate)].filter((f) => !commandFlags(rehearsal).has(f));
    expect(workflowOnly.sort()).toEqual(["--built", "--rate"]);
    expect([...commandFlags(rehearsal)].every((f) => flags(gate).has(f))).toBe(true);
    for (const flag of ["--p95-ms", "--p99-ms", "--max-error-rate", "--min-rps", "--rate"]) {
      expect(commandFlags(rehearsal).has(flag)).toBe(false);
    }
    const stages = JSON.parse(readFileSync(join(REPO_ROOT, "loadtest", "stages.json"), "utf8"));
    expect(stages[LOAD_STAGE].duration).toBe("60s");
    expect(DIFFERENCES.join("\n")).toMatch(/--built.*60 s/);
  });

  it("promote: set-values.ts on the prod values file with model.yml's policy, committed with model.yml's title", () => {
    const job = model.jobs["point-environment"] as Job;
    expect(job.uses).toBe("./.github/workflows/_promote.yml");
    const environment = "prod";
    const filled = (text: string) =>
      text
        .replaceAll("${{ inputs.environment }}", environment)
        .replaceAll("${{ needs.candidate.outputs.model }}", "digits")
        .replaceAll("${{ needs.candidate.outputs.version }}", "3");
    expect(filled(job.with?.["values-file"] ?? "")).toBe(VALUES_FILE);
    expect(job.with?.set).toBe("config.versionPolicy=${{ needs.publish.outputs.policy }}");
    expect(model.on.workflow_dispatch?.inputs["version-policy"]?.default).toBe(VERSION_POLICY_TEMPLATE);
    expect(stepRunning("model.yml", "POLICY//")).toContain("policy=${POLICY//\\{version\\}/$VERSION}");
    expect(filled(job.with?.title ?? "")).toBe(promotionTitle("digits", 3, environment));
    const apply = stepRunning("_promote.yml", "set-values.ts");
    const rehearsal = setValuesCommand(VALUES_FILE, 3);
    expect(apply).toContain(`npx tsx ${rehearsal.script} --file "$VALUES_FILE"`);
    expect(apply).toContain('args+=(--set "$line")');
    expect(rehearsal.args).toEqual(["--file", VALUES_FILE, "--set", "config.versionPolicy=specific:3"]);
  });

  it("canary: the verdict reads the definition the chart's AnalysisTemplate is rendered from; the weights are the Rollout's", async () => {
    const { source } = await verdictDefinition();
    expect(source).toBe(join(REPO_ROOT, "helm", "infergate", "files", "canary-analysis.yaml"));
    const template = readFileSync(
      join(REPO_ROOT, "helm", "infergate", "templates", "analysistemplate.yaml"),
      "utf8",
    );
    expect(template).toContain('.Files.Get "files/canary-analysis.yaml"');
    const values = parse(readFileSync(join(REPO_ROOT, "helm", "infergate", "values.yaml"), "utf8")) as {
      rollout: { steps: { setWeight?: number }[] };
    };
    const rollout = values.rollout.steps.flatMap((s) => (s.setWeight === undefined ? [] : [s.setWeight]));
    const rehearsal = CANARY_STEPS.map((s) => Math.round(s.weight * 100));
    expect(rehearsal).toEqual([10, 50, 100]);
    // 100 % is the Rollout's promotion; every weight before it is one of the Rollout's steps.
    expect(rehearsal.filter((w) => w < 100).every((w) => rollout.includes(w))).toBe(true);
  });
});
