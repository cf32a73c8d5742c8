/**
 * The canary stepped by the real Argo Rollouts controller: dev with the Rollout on, the model
 * version changed in the values as the GitOps commit changes it, the controller creating the
 * canary ReplicaSet and walking the chart's steps (pauses shortened), and the analysis judging
 * with the project's own verdict: the AnalysisTemplate's web metric calls `infergate canary
 * serve` (the same definition and statistics as `canary evaluate`) and its Prometheus metrics
 * query a real Prometheus, both at 127.0.0.1 where the controller reaches them. Prometheus
 * scrapes real infergate processes that play the kwok Pods' containers (local-pods.ts), labelled
 * with the Pods' tracks.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { runOk } from "../../scripts/lib/run.js";
import { BUNDLED_REPOSITORY, DEGRADED_REPOSITORY } from "../../service/test/support/paths.js";
import { startServerProcess } from "../../service/test/support/process.js";
import { loadDefinition } from "../../tools/src/canary-judge/definition/load.js";
import { PrometheusClient } from "../../tools/src/canary-judge/prometheus.js";
import { startVerdictServer, type VerdictServer } from "../../tools/src/canary-judge/verdict-server.js";
import { type ControlPlane, startControlPlane } from "../control-plane.js";
import { canaryHelmArgs, commitValue, copyDevValues } from "../lib/canary-release.js";
import { crdFolders, installCrds } from "../lib/crds.js";
import { createRestrictedNamespaces, helmOk, releaseArgs } from "../lib/helm.js";
import { kubectl } from "../lib/kubectl.js";
import { LocalPods } from "../lib/local-pods.js";
import { type ScrapedPrometheus, startPrometheus } from "../lib/prometheus.js";
import { analysisRuns, describeAnalysisRuns, type RolloutWatch, watchRollout } from "../lib/rollout-watch.js";
import { startRolloutsController } from "../lib/rollouts.js";
import { startTraffic, type Traffic } from "../lib/traffic.js";
import { waitRolledOut } from "../lib/workloads.js";

const NAMESPACE = "infergate";
const TRANSCRIPT = join(REPO_ROOT, ".cache/test/kube/canary-transcript.txt");
let plane: ControlPlane;
let prometheus: ScrapedPrometheus;
let judge: VerdictServer;
let pods: LocalPods;
let traffic: Traffic;
let dir: string;
let valuesFile: string;
let args: string[];
const transcript: string[] = [];
const kube = (a: string[]) => kubectl(plane.kubeconfig, a);

/** Polls until `check` holds (the controllers act on their own time). */
async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; local pods: ${JSON.stringify(pods.running().map((p) => [p.name, p.track, p.versions]))} ${pods.errors.join("; ")}`,
      );
    await sleep(250);
  }
}

const rollout = async () =>
  JSON.parse((await kube(["-n", NAMESPACE, "get", "rollout/infergate", "-o", "json"])).stdout);
const versionsOf = (track: string) =>
  pods
    .running()
    .filter((p) => p.track === track)
    .map((p) => p.versions.join(","));

beforeAll(async () => {
  await runOk("bash", ["scripts/tools.sh", "kube"], { timeoutMs: 1_800_000 });
  await runOk("bash", ["scripts/tools.sh", "prometheus"], { timeoutMs: 1_800_000 });
  dir = await mkdtemp(join(tmpdir(), "infergate-kube-canary-"));
  const repository = join(dir, "models");
  await cp(join(BUNDLED_REPOSITORY, "digits/1"), join(repository, "digits/1"), { recursive: true });
  await cp(join(BUNDLED_REPOSITORY, "digits/2"), join(repository, "digits/2"), { recursive: true });
  await cp(join(DEGRADED_REPOSITORY, "digits/3"), join(repository, "digits/3"), { recursive: true });
  plane = await startControlPlane();
  // Argo Rollouts' CRDs, and prometheus-operator's for dev's ServiceMonitor and PrometheusRule.
  await installCrds(
    plane.kubeconfig,
    crdFolders(plane.toolsDir).filter((f) => !/argo-cd/.test(f)),
  );
  await startRolloutsController(plane);
  await createRestrictedNamespaces(plane.kubeconfig, [NAMESPACE]);
  prometheus = await startPrometheus({ namespace: NAMESPACE, job: "infergate" });
  const { definition, source } = await loadDefinition(undefined, {});
  judge = await startVerdictServer({ client: new PrometheusClient(prometheus.url), definition, source });
  pods = new LocalPods(
    plane.api,
    NAMESPACE,
    "digits",
    async (_name, env) => {
      const p = await startServerProcess(env);
      return { url: p.url, pid: p.child.pid, stop: () => p.stop() };
    },
    (running) => prometheus.setTargets(running),
  );
  pods.start();
  traffic = startTraffic(() => pods.running(), { model: "digits" });
  valuesFile = copyDevValues(dir);
  await commitValue(valuesFile, "config.versionPolicy=specific:1");
  args = await canaryHelmArgs({
    env: "dev",
    valuesFile,
    endpoints: { prometheus: prometheus.url, verdicts: judge.url },
    config: { "config.modelRepository": `file://${repository}` },
    pauseDivisor: 10,
  });
  await helmOk(plane.kubeconfig, releaseArgs("install", NAMESPACE, args));
  await waitRolledOut(plane.kubeconfig, NAMESPACE, "Rollout");
  await until("the stable pod serving digits v1", () => versionsOf("stable").join() === "1", 60_000);
}, 1_900_000);

afterAll(async () => {
  await traffic?.stop();
  await pods?.stop();
  await judge?.close();
  await prometheus?.stop();
  await plane?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  await mkdir(join(REPO_ROOT, ".cache/test/kube"), { recursive: true });
  await writeFile(TRANSCRIPT, `${transcript.join("\n")}\n`);
}, 120_000);

/** Changes the version as the GitOps commit does, upgrades, and watches the Rollout as kubectl shows it. */
async function deploy(version: number): Promise<RolloutWatch> {
  const watch = watchRollout(plane.kubeconfig, NAMESPACE, "infergate");
  await sleep(500); // the watch's first row: the state before the change
  await commitValue(valuesFile, `config.versionPolicy=specific:${version}`);
  await helmOk(plane.kubeconfig, releaseArgs("upgrade", NAMESPACE, args));
  return watch;
}

/** Prints and keeps what kubectl shows: the Rollout's rows, and the AnalysisRuns of canary `hash`. */
async function record(title: string, watch: RolloutWatch, hash?: string): Promise<void> {
  watch.stop();
  const runs = await describeAnalysisRuns(plane.kubeconfig, NAMESPACE, hash);
  const text = [
    `== ${title}`,
    "$ kubectl get rollout infergate -w -o custom-columns=…",
    ...watch.lines(),
    "",
    ...runs,
    "",
  ];
  transcript.push(...text);
  console.log(text.join("\n"));
}

const replicaSets = async () =>
  (
    JSON.parse((await kube(["-n", NAMESPACE, "get", "replicasets", "-o", "json"])).stdout).items as {
      metadata: { labels: Record<string, string> };
      spec: { replicas: number };
    }[]
  ).map((rs) => ({ hash: rs.metadata.labels["rollouts-pod-template-hash"], replicas: rs.spec.replicas }));
/** The background AnalysisRun of the canary ReplicaSet with this pod template hash. */
const runFor = async (hash: string) =>
  (await analysisRuns(plane.kubeconfig, NAMESPACE)).find(
    (run) => run.metadata.labels?.["rollouts-pod-template-hash"] === hash,
  );
const verdictsOf = (run: Awaited<ReturnType<typeof runFor>>) =>
  (run?.status?.metricResults?.find((m) => m.name === "canary-verdict-digits")?.measurements ?? []).map(
    (m) => (JSON.parse(m.value ?? "{}") as { verdict?: string }).verdict,
  );

// One release walked through two upgrades in turn: a retry would start from the state the failed
// attempt left (e.g. an already aborted Rollout), so a failure here fails at once.
describe("the canary stepped by the real Argo Rollouts controller", { retry: 0 }, () => {
  it("a good candidate (digits v2 after v1): every step walked, the verdict promotes, Healthy on v2", async () => {
    const before = (await rollout()).status.stableRS as string;
    const watch = await deploy(2);
    await until("the canary pod serving v2", () => versionsOf("canary").join() === "2", 60_000);
    // As the HPA would on load: a stable pod started now must run stable's settings (v1), not
    // those of the upgrade the canary is testing.
    expect((await kube(["-n", NAMESPACE, "scale", "rollout/infergate", "--replicas=2"])).code).toBe(0);
    await until("a second stable pod", () => versionsOf("stable").length === 2, 60_000);
    expect(versionsOf("stable")).toEqual(["1", "1"]);
    await until(
      "the Rollout Healthy on a new stable ReplicaSet",
      async () => {
        const r = await rollout();
        return (
          r.status.phase === "Healthy" &&
          r.status.stableRS !== before &&
          r.status.currentPodHash === r.status.stableRS
        );
      },
      240_000,
    );
    await until(
      "the old stable pods gone",
      () => pods.running().every((p) => p.versions.join() === "2"),
      60_000,
    );
    await record("good candidate: digits v1 -> v2", watch, (await rollout()).status.stableRS);
    const steps = new Set(watch.rows.map((r) => r.step));
    for (const step of ["0", "1", "2", "3", "4", "5", "6"])
      expect(steps, `step ${step} walked`).toContain(step);
    expect(watch.rows.map((r) => r.phase)).toContain("Paused");
    const run = await runFor((await rollout()).status.stableRS);
    expect(run?.status?.phase).toBe("Successful");
    expect(verdictsOf(run)).toContain("promote");
    expect(verdictsOf(run)).not.toContain("rollback");
  }, 300_000);

  it("a degraded candidate (digits v3 answers 8): the verdict rolls back, the AnalysisRun fails, the Rollout aborts to stable v2", async () => {
    const stable = (await rollout()).status.stableRS as string;
    const started = Date.now();
    const watch = await deploy(3);
    await until("the Rollout aborted", async () => (await rollout()).status.abort === true, 180_000);
    const abortedAfter = (Date.now() - started) / 1000;
    const canaryHash = (await rollout()).status.currentPodHash as string;
    await until(
      "the canary ReplicaSet scaled to 0 at once (no abortScaleDownDelaySeconds without traffic routing)",
      async () => (await replicaSets()).find((rs) => rs.hash === canaryHash)?.replicas === 0,
      5_000,
    );
    // Without traffic routing nothing keeps an aborted canary (abortScaleDownDelaySeconds would be ignored).
    await until(
      "the canary pods gone",
      () => versionsOf("canary").length === 0 && pods.running().every((p) => p.versions.join() === "2"),
      30_000,
    );
    await sleep(1000);
    await record(
      `degraded candidate: digits v2 -> v3 (aborted after ${abortedAfter.toFixed(0)} s)`,
      watch,
      canaryHash,
    );
    const r = await rollout();
    expect(r.status).toMatchObject({ phase: "Degraded", abort: true, stableRS: stable });
    expect(r.status.message).toMatch(
      /^RolloutAborted: Rollout aborted update to revision \d+: Background analysis phase error\/failed: Metric "canary-verdict-digits" assessed Failed due to failed \(1\) > failureLimit \(0\)$/,
    );
    const run = await runFor(canaryHash);
    expect(run?.status?.phase).toBe("Failed");
    expect(verdictsOf(run)).toContain("rollback");
    expect(versionsOf("stable")).toEqual(["2", "2"]);
    expect(abortedAfter).toBeLessThan(120);
  }, 300_000);

  it("the revert commit (back to v2) makes the Rollout Healthy on the same stable ReplicaSet, no new canary", async () => {
    const stable = (await rollout()).status.stableRS as string;
    const watch = await deploy(2);
    await until("the Rollout Healthy", async () => (await rollout()).status.phase === "Healthy", 60_000);
    await record("revert commit: digits v3 -> v2", watch);
    const r = await rollout();
    expect(r.status).toMatchObject({ stableRS: stable, currentPodHash: stable });
    expect(r.status.abort).toBeUndefined();
    expect(watch.rows.map((row) => row.phase)).not.toContain("Paused");
    expect(versionsOf("stable")).toEqual(["2", "2"]);
    expect(versionsOf("canary")).toEqual([]);
  }, 120_000);
});
