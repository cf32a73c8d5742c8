/**
 * What a job holding a write token or an OIDC role may run: no dependency install script
 * (`npm ci --ignore-scripts`, here or through setup-node-deps) and no token left in .git/config
 * by checkout (persist-credentials: false everywhere; a job that pushes presents the token on
 * its own git command).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
type Job = { permissions?: Record<string, string> | string; steps?: Step[] };

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const workflowsDir = join(root, ".github", "workflows");
const actionsDir = join(root, ".github", "actions");

const jobs = readdirSync(workflowsDir)
  .filter((f) => f.endsWith(".yml"))
  .flatMap((f) => {
    const wf = parse(readFileSync(join(workflowsDir, f), "utf8")) as { jobs: Record<string, Job> };
    return Object.entries(wf.jobs).map(([id, job]) => ({ where: `${f} ${id}`, job }));
  });

/** The steps a job runs, local composite actions expanded (they run with the job's token). */
function stepsOf(job: Job): Step[] {
  return (job.steps ?? []).flatMap((step) => {
    if (!step.uses?.startsWith("./.github/actions/")) return [step];
    const action = parse(readFileSync(join(root, step.uses, "action.yml"), "utf8")) as {
      runs: { steps?: Step[] };
    };
    return action.runs.steps ?? [];
  });
}

const writes = (job: Job) =>
  job.permissions === "write-all" ||
  (typeof job.permissions === "object" && Object.values(job.permissions).includes("write"));

/** `npm ci` / `npm install` invocations in a run script that would run install scripts. */
const scriptedInstalls = (run: string) =>
  run
    .split(/\n|&&|;/)
    .map((c) => c.trim())
    .filter((c) => /^npm (ci|install|i)\b/.test(c) && !c.includes("--ignore-scripts"));

describe("supply chain of the workflows", () => {
  const privileged = jobs.filter(({ job }) => writes(job) && job.steps);

  it("has privileged jobs that install dependencies (what the next check guards)", () => {
    const installing = privileged.filter(({ job }) =>
      stepsOf(job).some((s) => /\bnpm ci\b/.test(s.run ?? "")),
    );
    expect(installing.map((j) => j.where)).toEqual(
      expect.arrayContaining(["_accuracy-gate.yml gate", "_promote.yml change", "model.yml publish"]),
    );
  });

  it("runs no install script in a job holding a write token or an OIDC role", () => {
    const offenders = privileged.flatMap(({ where, job }) =>
      stepsOf(job).flatMap((s) => scriptedInstalls(s.run ?? "").map((c) => `${where}: ${c}`)),
    );
    expect(offenders).toEqual([]);
  });

  it("leaves no credentials behind any checkout", () => {
    const persisted = jobs.flatMap(({ where, job }) =>
      stepsOf(job)
        .filter((s) => s.uses?.startsWith("actions/checkout@") && s.with?.["persist-credentials"] !== false)
        .map(() => where),
    );
    expect(persisted).toEqual([]);
  });

  it("the one job that pushes presents the token only on its own git commands", () => {
    const promote = readFileSync(join(workflowsDir, "_promote.yml"), "utf8");
    const pushes = promote.split("\n").filter((l) => /git (.* )?(push|pull)\b/.test(l));
    expect(pushes.length).toBeGreaterThanOrEqual(3);
    for (const line of pushes) expect(line).toContain('-c http.extraheader="$auth"');
    expect(promote).toContain("::add-mask::$auth");
  });

  it("recognises an install that would run scripts (the check can fail)", () => {
    expect(scriptedInstalls("npm ci\nnpm test")).toEqual(["npm ci"]);
    expect(scriptedInstalls("npm ci --ignore-scripts && npm install x")).toEqual(["npm install x"]);
    expect(scriptedInstalls("npm ci --ignore-scripts --no-audit")).toEqual([]);
    expect(readdirSync(actionsDir)).toContain("setup-node-deps");
  });
});
