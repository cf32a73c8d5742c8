/**
 * `infergate rehearse --platform kube`, run as a user runs it (its own process): production is
 * the chart's prod release on the local control plane, the canary its Rollout, stepped by the real
 * Argo Rollouts controller and judged by its AnalysisRun through `infergate canary serve`; the
 * GitOps commit follows the controller's promotion. Scenario good only: the degraded candidate's
 * abort is canary.test.ts's, and each run here costs about two and a half minutes of the suite.
 * The fast-fail p95 metric compares one canary pod with three stable ones over 20 s windows; on
 * two cores shared with other tests it can abort a good candidate, which the suite's one retry
 * then names as FLAKY (scripts/test.sh).
 * The report stays in .cache/test/kube/rehearsal for a look after a failure.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { runOk } from "../../scripts/lib/run.js";
import { alive } from "../../tools/test/support/cli.js";
import { runRehearsal } from "../../tools/test/support/rehearsal-run.js";

const DIR = join(REPO_ROOT, ".cache/test/kube/rehearsal");
const RUN_TIMEOUT_MS = 360_000;

const rehearseOnKube = (scenario: string) =>
  runRehearsal(["--platform", "kube", "--scenario", scenario], DIR, RUN_TIMEOUT_MS);

beforeAll(async () => {
  // The binaries `npm test`'s tools step builds (cached by version): a no-op when it ran.
  await runOk("bash", ["scripts/tools.sh", "kube", "crds", "prometheus"], { timeoutMs: 1_800_000 });
}, 1_900_000);

describe("infergate rehearse --platform kube", () => {
  it("good: the Argo Rollouts controller walks prod's steps, the AnalysisRun's verdicts promote, the GitOps commit follows", {
    timeout: RUN_TIMEOUT_MS,
  }, async () => {
    const r = await rehearseOnKube("good");
    console.log(`rehearse --platform kube --scenario good: exit ${r.code} in ${r.seconds} s`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report).toMatchObject({ platform: "kube", outcome: "promoted", exit_code: 0, caught_by: [] });
    expect(r.report.stages.map((s) => s.status)).toEqual(Array(6).fill("passed"));

    const cluster = r.report.cluster;
    if (!cluster) throw new Error("report.json has no cluster record");
    // The controller's walk as the API server returned it: paused at each timed step's weight,
    // then Healthy with a new stable ReplicaSet.
    const paused = cluster.rollout.filter((s) => s.phase === "Paused").map((s) => s.canary_weight);
    expect([...new Set(paused)]).toEqual([5, 25, 50]);
    const first = cluster.rollout.find((s) => s.phase === "Healthy");
    const last = cluster.rollout.at(-1);
    expect(last).toMatchObject({ phase: "Healthy", abort: false });
    expect(last?.stable).not.toBe(first?.stable);
    // The AnalysisRun judged through the verdict endpoint, and every fast-fail metric held.
    const run = cluster.analysis_runs.find((a) => a.metrics.some((m) => m.name === "canary-verdict-digits"));
    expect(run?.phase).toBe("Successful");
    expect(run?.metrics.every((m) => m.failed === 0)).toBe(true);
    expect(r.report.canary_steps.length).toBeGreaterThan(0);
    expect(r.report.canary_steps.at(-1)?.verdict).toBe("promote");
    // Who did what: each controller under its own name, and the rehearsal's stand-ins said as such.
    const did = (who: string, reason: string) =>
      cluster.actions.some((a) => a.controller === who && a.reason === reason);
    expect(did("Argo Rollouts controller", "NewReplicaSetCreated")).toBe(true);
    expect(did("kube-controller-manager: ReplicaSet controller", "SuccessfulCreate")).toBe(true);
    expect(did("kube-scheduler", "Scheduled")).toBe(true);
    expect(did("rehearsal, as Argo CD", "Sync")).toBe(true);
    expect(did("rehearsal, as the operator", "Promote")).toBe(true);
    expect(cluster.pods.filter((p) => p.versions.join() === "3").length).toBeGreaterThanOrEqual(3);
    expect(readFileSync(join(DIR, "report.md"), "utf8")).toContain("### Which controller did what");

    // Production answered throughout, and v3 is what it serves now.
    const { production } = r.report;
    expect(production.failures, r.stderr).toEqual({});
    expect(production.failed).toBe(0);
    expect(production.requests).toBeGreaterThan(1000);
    expect(production.stable_after).toBe(3);
    expect(production.by_version["3"]).toBeGreaterThan(100);
    const git = (...a: string[]) =>
      execFileSync("git", ["-C", join(DIR, "gitops"), ...a], { encoding: "utf8" });
    expect(git("log", "--format=%s").split("\n")[0]).toBe("model: digits v3 in prod");

    // Every process stopped: the supervisor's, the pods' and the control plane's.
    expect(r.report.processes.map((p) => p.name)).toEqual(
      expect.arrayContaining(["kube: kube-apiserver", "kube: rollouts-controller", "canary-serve"]),
    );
    expect(r.report.processes.filter((p) => alive(p.pid) || p.exit === "running")).toEqual([]);
  });
});
