import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "../../../service/test/support/data.js";
import { BUNDLED_REPOSITORY, DEGRADED_REPOSITORY, REPO_ROOT } from "../../../service/test/support/paths.js";
import { type ServerProcess, startServerProcess } from "../../../service/test/support/process.js";
import { loadDefinition } from "../../src/canary-judge/definition/load.js";
import { PrometheusClient } from "../../src/canary-judge/prometheus.js";
import type { CanaryReport } from "../../src/canary-judge/report.js";
import { startVerdictServer, type VerdictServer } from "../../src/canary-judge/verdict-server.js";
import { analysisTemplate, renderRolloutChart } from "../support/helm.js";
import {
  ensurePrometheus,
  type PrometheusProcess,
  promQuery,
  runCanaryEvaluate,
  startPrometheus,
  waitForTargetsUp,
} from "../support/prometheus.js";

// The canary verdict against a real Prometheus (the pinned 2.42, 1 s scrapes) scraping real
// servers. Pod-level style (Argo Rollouts): one stable server (digits v2) and four canary servers
// (INFERGATE_TRACK=canary), each paired with the stable one under its own Prometheus job, so one
// Prometheus serves four cases:
//   good      digits v1 (a different model, as accurate)        -> promote
//   degraded  the degraded fixture (accuracy 0.097)             -> rollback (prediction shift)
//   errors    v2 with a queue of 1 under bursts (503 rejected)  -> rollback (error rate, critical)
//   low       v2 with one request every 3 s                     -> hold (too few samples)
// In-server style: one server each with stable v2 and a shadow candidate (every request shadowed):
//   shadow-good      candidate v1            -> promote (shadow agreement within tolerance)
//   shadow-degraded  candidate the fixture   -> rollback (shadow disagreement beyond the limit)
// Then the chart's AnalysisTemplate is run as Argo Rollouts would run it on the pod-level cases:
// its fast-fail queries give the CLI's effect values, and its Job metric (the CLI) its verdicts.

const WINDOW = "40s";
const STEP = "5s";
const TRAFFIC_MS = 36_000;
const OUT = `${REPO_ROOT}.cache/test/canary-evaluate`;
const CASES = ["good", "degraded", "errors", "low"] as const;
type Case = (typeof CASES)[number];
const SHADOW_CASES = ["shadow-good", "shadow-degraded"] as const;
type ShadowCase = (typeof SHADOW_CASES)[number];

let stable: ServerProcess | undefined;
const canaries: Partial<Record<Case, ServerProcess>> = {};
const shadows: Partial<Record<ShadowCase, ServerProcess>> = {};
let prom: PrometheusProcess | undefined;
let end = 0;
let dir = "";
const reports: Partial<Record<Case | ShadowCase, CanaryReport>> = {};

const hostPort = (url: string) => url.replace(/^http:\/\//, "");

async function infer(url: string, body: string): Promise<void> {
  const res = await fetch(`${url}/v2/models/digits/infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  await res.arrayBuffer();
}

/**
 * ~10 requests/s of 12 rows each to the stable, good and degraded servers (the same rows to each,
 * as a canary split would send them the same kind of traffic), bursts of 3 concurrent requests to
 * the queue-limited one, one request every 3 s to the low-traffic one. Bounded by TRAFFIC_MS.
 */
async function driveTraffic(): Promise<void> {
  const rows = validationRows();
  const deadline = Date.now() + TRAFFIC_MS;
  let lastLow = 0;
  for (let i = 0; Date.now() < deadline; i++) {
    const body = JSON.stringify(
      inferBody(Array.from({ length: 12 }, (_, k) => rows[(i * 12 + k * 89) % rows.length] ?? rows[0]!)),
    );
    const s = stable as ServerProcess;
    const c = canaries as Record<Case, ServerProcess>;
    const sh = shadows as Record<ShadowCase, ServerProcess>;
    const sends = [infer(s.url, body), infer(c.good.url, body), infer(c.degraded.url, body)];
    for (const x of SHADOW_CASES) sends.push(infer(sh[x].url, body));
    for (let k = 0; k < 3; k++) sends.push(infer(c.errors.url, body));
    if (Date.now() - lastLow >= 3000) {
      lastLow = Date.now();
      sends.push(infer(c.low.url, body));
    }
    await Promise.all(sends);
    await sleep(60);
  }
}

const cliArgs = (job: Case | ShadowCase, extra: string[] = []) => [
  "--prometheus",
  (prom as PrometheusProcess).url,
  "--model",
  "digits",
  "--selector",
  `namespace="infergate", job="${job}"`,
  "--window",
  WINDOW,
  "--step",
  STEP,
  "--end",
  String(end),
  ...extra,
];

beforeAll(async () => {
  ensurePrometheus();
  dir = await mkdtemp(join(tmpdir(), "infergate-canary-cli-"));
  await mkdir(OUT, { recursive: true });
  // In-server tracks need both versions in one repository: v1 and v2 and the degraded fixture.
  const repo = join(dir, "repository");
  await cp(`${BUNDLED_REPOSITORY}/digits/1`, `${repo}/digits/1`, { recursive: true });
  await cp(`${BUNDLED_REPOSITORY}/digits/2`, `${repo}/digits/2`, { recursive: true });
  await cp(`${DEGRADED_REPOSITORY}/digits/3`, `${repo}/digits/3`, { recursive: true });
  const shadowOf = (candidate: number) => ({
    INFERGATE_MODEL_REPOSITORY: repo,
    INFERGATE_VERSION_POLICY: "all",
    INFERGATE_TRACKS: JSON.stringify({ digits: { stable: 2, candidate, mode: "shadow", weight: 1 } }),
  });
  const started = await Promise.all([
    startServerProcess({ INFERGATE_TRACK: "stable" }),
    startServerProcess({ INFERGATE_TRACK: "canary", INFERGATE_VERSION_POLICY: "specific:1" }),
    startServerProcess({ INFERGATE_TRACK: "canary", INFERGATE_MODEL_REPOSITORY: DEGRADED_REPOSITORY }),
    startServerProcess({ INFERGATE_TRACK: "canary", INFERGATE_MAX_QUEUE_SIZE: "1" }),
    startServerProcess({ INFERGATE_TRACK: "canary" }),
    startServerProcess(shadowOf(1)),
    startServerProcess(shadowOf(3)),
  ]);
  [
    stable,
    canaries.good,
    canaries.degraded,
    canaries.errors,
    canaries.low,
    shadows["shadow-good"],
    shadows["shadow-degraded"],
  ] = started;
  const s = hostPort((stable as ServerProcess).url);
  prom = await startPrometheus(
    [
      ...CASES.map((job) => ({
        job,
        targets: [s, hostPort((canaries[job] as ServerProcess).url)],
        labels: { namespace: "infergate" },
      })),
      ...SHADOW_CASES.map((job) => ({
        job,
        targets: [hostPort((shadows[job] as ServerProcess).url)],
        labels: { namespace: "infergate" },
      })),
    ],
    { scrapeInterval: "1s" },
  );
  await waitForTargetsUp(prom.url, CASES.length * 2 + SHADOW_CASES.length);
  await driveTraffic();
  await sleep(2500); // the last scrapes
  end = Math.floor(Date.now() / 1000);
}, 200_000);

afterAll(async () => {
  await Promise.allSettled([
    prom?.stop(),
    stable?.stop(),
    ...Object.values(canaries).map((c) => c?.stop()),
    ...Object.values(shadows).map((c) => c?.stop()),
  ]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function evaluate(job: Case | ShadowCase, extra: string[] = [], env: Record<string, string> = {}) {
  const json = join(dir, `${job}-${Math.random().toString(36).slice(2)}.json`);
  const r = await runCanaryEvaluate(cliArgs(job, ["--json-out", json, ...extra]), env);
  // kept for inspection (git-ignored): the table the CLI printed
  await writeFile(
    join(OUT, `${job}${extra.length ? "-extra" : ""}.txt`),
    `exit ${r.code}\n${r.stdout}${r.stderr}`,
  );
  const report = r.code === 2 ? undefined : (JSON.parse(await readFile(json, "utf8")) as CanaryReport);
  if (report && extra.length === 0) reports[job] = report;
  return { ...r, report };
}

const metric = (r: CanaryReport | undefined, name: string) => r?.metrics.find((m) => m.name === name);

describe("canary-evaluate against a real Prometheus", () => {
  it("promotes a good candidate (digits v1 vs stable v2) and writes JSON, Markdown and the job summary", async () => {
    const summary = join(dir, "summary.md");
    await writeFile(summary, "previous step\n");
    const md = join(dir, "good.md");
    const r = await evaluate("good", ["--markdown-out", md], { GITHUB_STEP_SUMMARY: summary });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    reports.good = r.report;
    expect(r.stdout).toMatch(/^canary verdict: PROMOTE \(score 100;/);
    expect(r.report).toMatchObject({ verdict: "promote", exitCode: 0, score: 100, model: "digits" });
    for (const name of ["error-rate", "prediction-shift"]) {
      expect(metric(r.report, name)?.class, name).toBe("pass");
    }
    // v1 (a linear model) is cheaper than v2 (an MLP): its latency may test significantly lower,
    // which for a metric that fails only on an increase is no failure (and costs no score).
    for (const name of ["p95-latency", "p99-latency"]) {
      expect(["pass", "low"], name).toContain(metric(r.report, name)?.class);
    }
    // enough data behind every comparison: ~10 req/s for 36 s, 12 rows each
    const err = metric(r.report, "error-rate");
    expect(err?.candidate.samples).toBeGreaterThanOrEqual(200);
    expect(err?.candidate.intervals).toBeGreaterThanOrEqual(6);
    expect(err?.test?.name).toBe("mann-whitney-u");
    const shift = metric(r.report, "prediction-shift");
    expect(shift?.stable.samples).toBeGreaterThanOrEqual(2000);
    expect(shift?.effect?.value).toBeLessThan(0.01); // v1 and v2 agree on most digits
    expect(metric(r.report, "shadow-agreement")).toMatchObject({
      class: "nodata",
      reason: "no shadow comparisons (no shadow track)",
    });
    const markdown = await readFile(md, "utf8");
    expect(markdown).toContain("## Canary verdict: ✅ promote");
    expect(markdown).toContain("| prediction-shift |");
    expect(await readFile(summary, "utf8")).toBe(`previous step\n${markdown}\n`);
  });

  it("rolls back the degraded candidate: its class distribution shifts (chi-square + PSI)", async () => {
    const r = await evaluate("degraded");
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^canary verdict: ROLLBACK/);
    const shift = metric(r.report, "prediction-shift");
    expect(shift).toMatchObject({ class: "high", passed: false });
    expect(shift?.test?.pValue).toBeLessThan(1e-6);
    expect(shift?.effect?.value).toBeGreaterThan(0.02);
    // the same traffic, the same latency and no errors: only the predictions differ
    expect(metric(r.report, "error-rate")?.class).toBe("pass");
    expect(r.report?.score).toBeLessThan(75);
  });

  it("rolls back a candidate that sheds load: rejected (503) requests count as errors, a critical metric", async () => {
    const r = await evaluate("errors");
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const err = metric(r.report, "error-rate");
    expect(err).toMatchObject({
      class: "high",
      passed: false,
      critical: true,
      effect: { beyondHardLimit: true, hardLimitBreached: true },
    });
    expect(err?.candidate.value).toBeGreaterThan(0.05);
    expect(err?.test?.pValue).toBeLessThan(0.01);
    expect(r.report?.reasons.some((x) => x.startsWith("error-rate: difference"))).toBe(true);
  });

  it("holds with too little canary traffic (exit 3), and exits 0 for a hold in --exit-mode argo", async () => {
    const r = await evaluate("low");
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.report).toMatchObject({ verdict: "hold", exitCode: 3 });
    expect(metric(r.report, "error-rate")?.reason).toMatch(
      /too few requests: stable \d+, candidate \d+ \(need 200 each\)/,
    );
    expect(metric(r.report, "error-rate")?.candidate.samples).toBeLessThan(30);
    const argo = await evaluate("low", ["--exit-mode", "argo"]);
    expect(argo.code).toBe(0);
    expect(argo.report).toMatchObject({ verdict: "hold", exitCode: 0 });
    // lowering the sample minimum is a threshold like any other
    const loose = await runCanaryEvaluate(cliArgs("low", ["--min-samples", "5", "--min-intervals", "3"]));
    expect(loose.stdout).not.toMatch(/too few requests/);
  });

  it("in-server shadow track: promotes a shadow that agrees with stable, rolls back one that does not", async () => {
    const [good, bad] = await Promise.all([
      evaluate("shadow-good", ["--candidate-track", "shadow"]),
      evaluate("shadow-degraded", ["--candidate-track", "shadow"]),
    ]);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(/^canary verdict: PROMOTE/);
    const agree = metric(good.report, "shadow-agreement");
    expect(agree).toMatchObject({ class: "pass", test: { name: "binomial" } });
    expect(agree?.candidate.samples).toBeGreaterThanOrEqual(2000); // every row compared
    expect(agree?.effect?.value).toBeLessThan(0.05); // v1 and v2 disagree on a few digits
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    const disagree = metric(bad.report, "shadow-agreement");
    expect(disagree).toMatchObject({ class: "high", passed: false, effect: { hardLimitBreached: true } });
    expect(disagree?.effect?.value).toBeGreaterThan(0.5);
    // The collapsed candidate also shifts the shadow track's class distribution (its own reason).
    expect(bad.report?.reasons).toContainEqual(
      expect.stringMatching(
        /^shadow-agreement: disagreement 0\.\d+ beyond the hard limit 0\.2 \(p <1e-12 < 0\.05\)$/,
      ),
    );
  });

  it("exits 2 when Prometheus rejects a query", async () => {
    const r = await runCanaryEvaluate(cliArgs("good", ["--selector", 'job=~"("']));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/infergate canary evaluate: error: .*bad_data/);
  });

  describe("the verdict endpoint (infergate canary serve, for Argo Rollouts' web metrics)", () => {
    let judge: VerdictServer;
    beforeAll(async () => {
      const { definition, source } = await loadDefinition(undefined, {});
      const client = new PrometheusClient((prom as PrometheusProcess).url);
      judge = await startVerdictServer({ client, definition, source });
    });
    afterAll(() => judge?.close());

    const verdict = async (params: Record<string, string>) => {
      const res = await fetch(`${judge.url}/verdict?${new URLSearchParams(params)}`);
      return { status: res.status, body: (await res.json()) as CanaryReport & { error?: string } };
    };
    const params = (job: Case) => ({
      model: "digits",
      window: WINDOW,
      step: STEP,
      end: String(end),
      selector: `namespace="infergate", job="${job}"`,
    });

    it("answers every case with the report the CLI wrote (200 for a rollback too)", async () => {
      for (const job of CASES) {
        expect(reports[job], `${job} was evaluated`).toBeDefined();
        const { status, body } = await verdict(params(job));
        expect(status, job).toBe(200);
        expect(body, job).toEqual(reports[job]);
      }
      expect(reports.degraded?.verdict).toBe("rollback");
    });

    it("400 for a bad or unknown parameter, 502 when Prometheus cannot answer, 404 elsewhere", async () => {
      expect(await verdict({ window: "1m" })).toMatchObject({
        status: 400,
        body: { error: "model is required" },
      });
      expect(await verdict({ ...params("good"), windo: "1m" })).toMatchObject({
        status: 400,
        body: { error: "unknown parameter(s): windo" },
      });
      expect((await verdict({ ...params("good"), step: "2m" })).body.error).toMatch(/is longer than/);
      const rejected = await verdict({ ...params("good"), selector: 'job=~"("' });
      expect(rejected.status).toBe(502);
      expect(rejected.body.error).toMatch(/bad_data/);
      expect((await fetch(`${judge.url}/`)).status).toBe(404);
      expect(await (await fetch(`${judge.url}/healthz`)).json()).toEqual({ status: "ok" });
    });
  });

  describe("the chart's AnalysisTemplate, run as Argo Rollouts runs it", () => {
    type Metric = { name: string; successCondition?: string; provider: any };
    let metrics: Metric[] = [];
    let templateArgs: Record<string, string> = {};
    // Argo Rollouts fills {{args.NAME}} from the template's args and the Rollout's (namespace,
    // job) and fails on any {{...}} it cannot resolve.
    const resolve = (text: string, job: Case) =>
      text.replace(/\{\{([^}]*)\}\}/g, (m, tag: string) => {
        const name = tag.trim().replace(/^args\./, "");
        const value = { ...templateArgs, namespace: "infergate", job }[name];
        if (!tag.trim().startsWith("args.") || value === undefined) throw new Error(`failed to resolve ${m}`);
        return value;
      });

    beforeAll(() => {
      const at = analysisTemplate(
        renderRolloutChart([
          "--set",
          `rollout.analysis.prometheusAddress=${(prom as PrometheusProcess).url}`,
          "--set",
          `rollout.analysis.window=${WINDOW}`,
          "--set",
          `rollout.analysis.step=${STEP}`,
        ]),
      );
      metrics = at.spec.metrics;
      templateArgs = Object.fromEntries(
        (at.spec.args as { name: string; value?: string }[])
          .filter((a) => a.value)
          .map((a) => [a.name, a.value as string]),
      );
    });

    it("fast-fail queries give the CLI's effect values and the same pass/fail against the hard limits", async () => {
      const checked: string[] = [];
      for (const job of CASES) {
        const report = reports[job];
        expect(report, `${job} was evaluated`).toBeDefined();
        for (const m of metrics.filter((x) => x.provider.prometheus)) {
          const query = resolve(m.provider.prometheus.query, job);
          const result = await promQuery((prom as PrometheusProcess).url, query, end);
          expect(result, `${m.name} ${job}`).toHaveLength(1);
          const value = result[0]?.value ?? Number.NaN;
          const limit = Number(/result\[0\] <= (.+)$/.exec(m.successCondition ?? "")?.[1]);
          const r = metric(report, m.name === "error-rate-vs-stable" ? "error-rate" : "p95-latency");
          if (r?.effect) {
            // the same number; the fast-fail condition is the CLI's bare "beyond the hard limit"
            // (the CLI also wants the test to call it significant before it rolls back)
            expect(value, `${m.name} ${job}`).toBeCloseTo(r.effect.value, 9);
            expect(value <= limit, `${m.name} ${job}`).toBe(!r.effect.beyondHardLimit);
          } else {
            // too few samples for the CLI: the guarded query passes (0)
            expect(value, `${m.name} ${job}`).toBe(0);
          }
          checked.push(`${m.name}/${job}=${value}`);
        }
      }
      expect(checked).toHaveLength(8);
    });

    it("the verdict Job (canary-evaluate --exit-mode argo) reaches the CLI's verdicts", async () => {
      const job = metrics.find((m) => m.name === "canary-verdict-digits");
      const container = job?.provider.job.spec.template.spec.containers[0];
      expect(container.command).toEqual(["node", "bin/infergate.js", "canary", "evaluate"]);
      const env = Object.fromEntries(
        (container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]),
      );
      const results = await Promise.all(
        CASES.map(async (c) => {
          // the image runs the compiled CLI; here the same source through tsx, at the same `end`
          const args = (container.args as string[]).map((a) => resolve(a, c));
          const r = await runCanaryEvaluate([...args, "--end", String(end)], env);
          return [c, r] as const;
        }),
      );
      for (const [c, r] of results) {
        const verdict = /^canary verdict: (\w+)/.exec(r.stdout)?.[1]?.toLowerCase();
        expect(verdict, `${c}: ${r.stderr}`).toBe(reports[c]?.verdict);
        expect(r.stdout, c).toContain("$INFERGATE_CANARY_ANALYSIS");
        expect(r.code, c).toBe(reports[c]?.verdict === "rollback" ? 1 : 0);
      }
    });
  });
});
