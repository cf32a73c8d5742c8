import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../service/test/support/paths.js";
import { alive } from "../support/cli.js";
import { type RehearsalRun, runRehearsal } from "../support/rehearsal-run.js";

/**
 * The four scenarios of `infergate rehearse`, each run as `npm run rehearse` runs it (its own
 * process, real moto, Prometheus, k6, the service and the production traffic), one after the
 * other: run side by side they would share the two cores and time each other's gates. In every
 * one production answers throughout: not one failed production request. Then the two ends without
 * an outcome: a stage that cannot decide (exit 2) and Ctrl-C (exit 130), everything stopped.
 * Reports stay in .cache/test/rehearse/<scenario> for a look after a failure.
 */
const OUT = join(REPO_ROOT, ".cache", "test", "rehearse");
const RUN_TIMEOUT_MS = 480_000;
const seconds: Record<string, number> = {};

type Run = RehearsalRun;

async function rehearse(
  label: string,
  scenario: string,
  onProgress?: (stderr: string, signal: (s: NodeJS.Signals) => void) => void,
  extra: string[] = [],
): Promise<Run> {
  const r = await runRehearsal(
    ["--scenario", scenario, ...extra],
    join(OUT, label),
    RUN_TIMEOUT_MS,
    onProgress,
  );
  seconds[label] = r.seconds;
  return r;
}

/**
 * What every scenario must show: production answered every request, and nothing is left running.
 * `minRequests`: the traffic (60 requests/s) ran at least this long; a rehearsal that ends at its
 * first gate sees fewer than one that canaries.
 */
function productionNeverFailed(r: Run, minRequests = 50) {
  const { production } = r.report;
  expect(production.failures, r.stderr).toEqual({});
  expect(production.failed).toBe(0);
  expect(production.requests).toBeGreaterThan(minRequests);
  expect(Object.values(production.by_version).reduce((a, b) => a + b, 0)).toBe(production.requests);
  expect(r.report.processes.length).toBeGreaterThan(5);
  expect(r.report.processes.filter((p) => alive(p.pid) || p.exit === "running")).toEqual([]);
  expect(r.stdout).toContain(`production: ${production.requests} requests, 0 failed`);
}

const status = (r: Run) => Object.fromEntries(r.report.stages.map((s) => [s.name, s.status]));

afterAll(async () => {
  const scenarios = ["good", "accuracy-regression", "canary-regression", "slow"];
  const total = scenarios.reduce((sum, s) => sum + (seconds[s] ?? 0), 0);
  console.log(`rehearsal seconds: ${JSON.stringify(seconds)}; the four scenarios ${total} s in all`);
});

describe("infergate rehearse (real processes, one scenario at a time)", () => {
  it("good: every gate passes, 10/50/100 % promote, promoted, the GitOps commit is in the repository's log", {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const r = await rehearse("good", "good");
    expect(r.code, r.stderr).toBe(0);
    expect(r.report).toMatchObject({ outcome: "promoted", exit_code: 0, caught_by: [] });
    expect(Object.values(status(r))).toEqual(["passed", "passed", "passed", "passed", "passed", "passed"]);
    const lastPerWeight = new Map(r.report.canary_steps.map((s) => [s.weight, s.verdict]));
    expect([...lastPerWeight]).toEqual([
      [0.1, "promote"],
      [0.5, "promote"],
      [1, "promote"],
    ]);
    expect(r.report.canary_steps.at(-1)?.baseline_track).toBe("direct");
    expect(r.report.production.stable_after).toBe(3);
    expect(r.report.production.by_version["3"]).toBeGreaterThan(100);
    productionNeverFailed(r);
    const gitops = join(r.dir, "gitops");
    const git = (...args: string[]) => execFileSync("git", ["-C", gitops, ...args], { encoding: "utf8" });
    expect(git("log", "--format=%s")).toBe(
      "model: digits v3 in prod\ndigits v2 in prod (the rehearsal's starting point)\n",
    );
    expect(git("show", "HEAD:helm/infergate/values-prod.yaml")).toContain('versionPolicy: "specific:3"');
    expect(readFileSync(join(r.dir, "release.svg"), "utf8").match(/>\d+% promote</g)).toHaveLength(3);
  });

  it("accuracy-regression: stopped at the accuracy gate, nothing published, production untouched", {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const r = await rehearse("accuracy-regression", "accuracy-regression");
    expect(r.code, r.stderr).toBe(1);
    expect(r.report.outcome).toBe("stopped");
    expect(status(r)).toMatchObject({ "accuracy gate": "failed", publish: "skipped", canary: "skipped" });
    expect(r.report.stages[1]?.summary).toMatch(/candidate accuracy 0.097222 < minimum 0.9/);
    expect(r.report.repository?.versions).toEqual([2]);
    expect(r.report.production.stable_after).toBe(2);
    expect(Object.keys(r.report.production.by_version)).toEqual(["2"]);
    expect(r.report.gitops?.log).toHaveLength(1);
    productionNeverFailed(r);
  });

  it("canary-regression: rolled back at a canary step by the verdict, the latency metric named", {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const r = await rehearse("canary-regression", "canary-regression");
    expect(r.code, r.stderr).toBe(1);
    expect(r.report.outcome).toBe("rolled_back");
    expect(status(r)).toMatchObject({
      "accuracy gate": "passed",
      "load gate": "passed",
      canary: "failed",
      promote: "skipped",
    });
    expect(r.report.canary_steps.at(-1)?.verdict).toBe("rollback");
    expect(r.report.caught_by).toContain("p95-latency");
    expect(r.stdout).toMatch(/caught by: .*p95-latency/);
    expect(r.report.production.stable_after).toBe(2);
    expect(r.report.production.by_version["3"]).toBeGreaterThan(100);
    expect(r.report.repository?.versions).toEqual([2, 3]);
    productionNeverFailed(r);
  });

  it("slow: stopped at the load gate by its p95 threshold, never canaried", {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const r = await rehearse("slow", "slow");
    expect(r.code, r.stderr).toBe(1);
    expect(r.report.outcome).toBe("stopped");
    // Calibrated here to 1.5× the 100 ms budget for one row, as measured after it was made.
    const oneRow = Number(/one row ([\d.]+) ms here/.exec(r.report.candidate.description)?.[1]);
    expect(oneRow).toBeGreaterThan(100);
    expect(status(r)).toMatchObject({
      "accuracy gate": "passed",
      publish: "passed",
      "load gate": "failed",
      canary: "skipped",
    });
    expect(r.report.stages.find((s) => s.name === "load gate")?.summary).toMatch(
      /crossed: p95 latency p\(95\)<100/,
    );
    expect(Object.keys(r.report.production.by_version)).toEqual(["2"]);
    productionNeverFailed(r);
  });

  it("could not run: a candidate the accuracy gate cannot load ends in exit 2 with the reason, everything stopped", {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    // The degraded fixture's manifest over bytes that are no ONNX model (nor have its sha256).
    const broken = join(await mkdtemp(join(tmpdir(), "infergate-rehearse-broken-")), "digits", "3");
    await mkdir(broken, { recursive: true });
    await copyFile(
      join(REPO_ROOT, "service/test/fixtures/models/degraded/digits/3/manifest.json"),
      join(broken, "manifest.json"),
    );
    await writeFile(join(broken, "model.onnx"), "not a model");
    const r = await rehearse("could-not-run", "good", undefined, ["--candidate", broken]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.report).toMatchObject({ outcome: "error", exit_code: 2 });
    expect(r.report.error).toMatch(/npm run gate:accuracy ended with 2, which decides nothing/);
    expect(status(r)).toMatchObject({ candidate: "passed", "accuracy gate": "error", publish: "skipped" });
    expect(r.report.repository?.versions).toEqual([2]);
    // The gate fails to load the candidate within a second or two of the traffic's start (42
    // and 45 requests in two runs on a quiet machine): that it ran, and never failed, is the point.
    productionNeverFailed(r, 10);
    await rm(join(broken, "..", ".."), { recursive: true, force: true });
    await rm(r.dir, { recursive: true, force: true });
  });

  it("Ctrl-C: stops everything it started by PID, reports, exits 130", {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    let sent = false;
    const r = await rehearse("ctrl-c", "good", (stderr, signal) => {
      if (!sent && stderr.includes("▶ accuracy gate")) {
        sent = true;
        signal("SIGINT");
      }
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.report).toMatchObject({
      outcome: "interrupted",
      exit_code: 130,
      error: "interrupted by SIGINT",
    });
    expect(r.report.processes.map((p) => p.name)).toEqual(
      expect.arrayContaining(["moto", "production", "prometheus"]),
    );
    productionNeverFailed(r);
    await rm(r.dir, { recursive: true, force: true });
  });
});
