import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { argoCdHelmArgs } from "../../../scripts/lib/argocd-environments.js";
import { DEFINITION_ENV, loadDefinition } from "../../src/canary-judge/definition/load.js";
import { fastFailCondition, fastFailQuery } from "../../src/canary-judge/definition/queries.js";
import {
  type AnalysisDefinition,
  parseDefinition,
  type SamplesMetric,
} from "../../src/canary-judge/definition/schema.js";
import { analysisTemplate, CHART, type Doc, ensureHelm, renderRolloutChart } from "../support/helm.js";

// Drift test: the AnalysisTemplate `helm template` renders must carry exactly the queries and
// thresholds of helm/infergate/files/canary-analysis.yaml, as the canary-evaluate CLI reads them.

const ARGO_SELECTOR = 'namespace="{{args.namespace}}", job="{{args.job}}"';

/** Every difference between a rendered AnalysisTemplate and the definition (empty: no drift). */
function drift(
  at: Doc,
  def: AnalysisDefinition,
  values: { address: string; window: string; step: string; models: string[] },
) {
  const problems: string[] = [];
  const metrics = at.spec.metrics as any[];
  const prom = metrics.filter((m) => m.provider.prometheus);
  const fast = def.metrics.filter(
    (m): m is SamplesMetric => m.kind === "samples" && m.fastFail !== undefined,
  );
  const expected = fast.map((m) => ({
    name: m.fastFail?.name,
    interval: m.fastFail?.interval,
    ...(m.fastFail?.count !== undefined ? { count: m.fastFail.count } : {}),
    failureLimit: m.fastFail?.failureLimit,
    successCondition: fastFailCondition(m),
    provider: {
      prometheus: {
        address: values.address,
        timeout: 30,
        query: fastFailQuery(m, { selector: ARGO_SELECTOR, range: "{{args.window}}" }),
      },
    },
  }));
  if (JSON.stringify(prom) !== JSON.stringify(expected)) {
    for (let i = 0; i < Math.max(prom.length, expected.length); i++) {
      if (JSON.stringify(prom[i]) !== JSON.stringify(expected[i])) {
        problems.push(
          `fast-fail metric ${i}: rendered ${JSON.stringify(prom[i])}\n  expected ${JSON.stringify(expected[i])}`,
        );
      }
    }
  }
  const jobs = metrics.filter((m) => m.provider.job);
  if (
    JSON.stringify(jobs.map((m) => m.name)) !==
    JSON.stringify(values.models.map((x) => `canary-verdict-${x}`))
  ) {
    problems.push(`verdict Job metrics: ${jobs.map((m) => m.name).join(", ")}`);
  }
  for (const [i, j] of jobs.entries()) {
    const expectedCadence = {
      interval: def.judgement.job.interval,
      failureLimit: def.judgement.job.failureLimit,
    };
    if (j.interval !== expectedCadence.interval || j.failureLimit !== expectedCadence.failureLimit) {
      problems.push(
        `${j.name}: cadence ${j.interval}/${j.failureLimit}, expected ${JSON.stringify(expectedCadence)}`,
      );
    }
    const c = j.provider.job.spec.template.spec.containers[0];
    const args = [
      "--prometheus",
      values.address,
      "--model",
      values.models[i],
      "--window",
      "{{args.window}}",
      "--step",
      "{{args.step}}",
      "--selector",
      ARGO_SELECTOR,
      "--exit-mode",
      "argo",
    ];
    if (JSON.stringify(c.args) !== JSON.stringify(args))
      problems.push(`${j.name}: args ${JSON.stringify(c.args)}`);
    const env = (c.env as { name: string; value: string }[]).find((e) => e.name === DEFINITION_ENV);
    const carried = env
      ? parseDefinition(JSON.parse(Buffer.from(env.value, "base64").toString("utf8")), "job env")
      : undefined;
    if (JSON.stringify(carried) !== JSON.stringify(def))
      problems.push(`${j.name}: the definition it carries differs`);
  }
  const args = Object.fromEntries(
    (at.spec.args as { name: string; value?: string }[]).map((a) => [a.name, a.value]),
  );
  const declared = def.args.map((a) => a.name);
  if (JSON.stringify(Object.keys(args)) !== JSON.stringify(declared))
    problems.push(`template args ${Object.keys(args)}`);
  if (args.window !== values.window || args.step !== values.step)
    problems.push(`window/step ${args.window}/${args.step}`);
  return problems;
}

describe("AnalysisTemplate rendered by helm = files/canary-analysis.yaml (drift test)", () => {
  let def: AnalysisDefinition;
  let dir: string;
  beforeAll(async () => {
    ensureHelm();
    def = (await loadDefinition(`${CHART}/files/canary-analysis.yaml`, {})).definition;
    dir = await mkdtemp(join(tmpdir(), "infergate-chart-drift-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("default values: fast-fail queries, hard limits, cadence and the verdict Job match the definition", () => {
    const at = analysisTemplate(renderRolloutChart());
    expect(
      drift(at, def, {
        address: "http://prometheus-operated.monitoring.svc:9090",
        window: "5m",
        step: "1m",
        models: ["digits"],
      }),
    ).toEqual([]);
    // the shipped fast-fail metrics: error rate and p95, as before the judgement was added
    expect(at.spec.metrics.map((m: any) => [m.name, m.successCondition])).toEqual([
      ["error-rate-vs-stable", "result[0] <= 0.01"],
      ["p95-latency-vs-stable", "result[0] <= 1.25"],
      ["canary-verdict-digits", undefined],
    ]);
  });

  it("prod values and other settings flow through", async () => {
    const prodValues = parse(await readFile(`${CHART}/values-prod.yaml`, "utf8")) as any;
    const at = analysisTemplate(
      renderRolloutChart([
        ...(await argoCdHelmArgs("prod")),
        "--set",
        "rollout.analysis.prometheusAddress=http://prom:9090",
        "--set",
        "rollout.analysis.step=2m",
        "--set",
        "rollout.analysis.judge.models={digits,iris}",
      ]),
    );
    expect(
      drift(at, def, {
        address: "http://prom:9090",
        window: prodValues.rollout.analysis.window,
        step: "2m",
        models: ["digits", "iris"],
      }),
    ).toEqual([]);
    const off = renderRolloutChart(["--set", "rollout.analysis.judge.enabled=false"]);
    expect(analysisTemplate(off).spec.metrics.map((m: any) => m.name)).toEqual([
      "error-rate-vs-stable",
      "p95-latency-vs-stable",
    ]);
  });

  it("provider web: the verdict endpoint gets the Job's model, window, step and selector; hold passes", () => {
    const at = analysisTemplate(
      renderRolloutChart([
        "--set",
        "rollout.analysis.judge.provider=web",
        "--set",
        "rollout.analysis.judge.web.url=http://127.0.0.1:9091/",
        "--set",
        "rollout.analysis.judge.models={digits,iris}",
      ]),
    );
    const verdicts = (at.spec.metrics as any[]).filter((m) => m.name.startsWith("canary-verdict-"));
    expect(verdicts.map((m) => m.name)).toEqual(["canary-verdict-digits", "canary-verdict-iris"]);
    for (const [i, m] of verdicts.entries()) {
      expect(m).toMatchObject({
        interval: def.judgement.job.interval,
        failureLimit: def.judgement.job.failureLimit,
        successCondition: 'result.verdict != "rollback"',
        provider: { web: { timeoutSeconds: 60 } },
      });
      expect(m.provider.job).toBeUndefined();
      // Argo Rollouts fills {{args.*}} into the URL; the rest must arrive as the Job's arguments.
      const url = new URL(m.provider.web.url);
      expect(`${url.origin}${url.pathname}`).toBe("http://127.0.0.1:9091/verdict");
      expect(Object.fromEntries(url.searchParams)).toEqual({
        model: ["digits", "iris"][i],
        window: "{{args.window}}",
        step: "{{args.step}}",
        selector: ARGO_SELECTOR,
      });
    }
    // the fast-fail metrics are the same whatever runs the verdict
    const prometheus = (at.spec.metrics as any[]).filter((m) => m.provider.prometheus);
    expect(prometheus).toEqual(
      (analysisTemplate(renderRolloutChart()).spec.metrics as any[]).filter((m) => m.provider.prometheus),
    );
  });

  it("intervals from the values override the definition's cadence (short analyses in tests)", () => {
    const at = analysisTemplate(
      renderRolloutChart([
        "--set",
        "rollout.analysis.fastFailInterval=5s",
        "--set",
        "rollout.analysis.judge.interval=10s",
        "--set",
        "rollout.analysis.judge.initialDelay=20s",
      ]),
    );
    expect(at.spec.metrics.map((m: any) => [m.name, m.interval, m.initialDelay])).toEqual([
      ["error-rate-vs-stable", "5s", undefined],
      ["p95-latency-vs-stable", "5s", undefined],
      ["canary-verdict-digits", "10s", "20s"],
    ]);
  });

  it("catches a template that drifts from the definition", async () => {
    const tampered = async (name: string, from: string, to: string) => {
      const chart = join(dir, name);
      await cp(CHART, chart, { recursive: true });
      const file = join(chart, "templates/analysistemplate.yaml");
      const text = await readFile(file, "utf8");
      expect(text).toContain(from);
      await writeFile(file, text.replace(from, to));
      return drift(analysisTemplate(renderRolloutChart([], chart)), def, {
        address: "http://prometheus-operated.monitoring.svc:9090",
        window: "5m",
        step: "1m",
        models: ["digits"],
      });
    };
    // a threshold edited in the template instead of the file
    expect(
      (await tampered("threshold", '"result[0] <= %v" $m.hardLimit', '"result[0] <= %v" 0.05')).join("\n"),
    ).toMatch(/fast-fail metric 0: .*result\[0\] <= 0.05/);
    // a query composed differently from the CLI's
    expect(
      await tampered("query", ">= -Inf or on() vector(0))) >= -Inf", ">= 0 or on() vector(0))) >= -1"),
    ).toHaveLength(1);
    // the Job pointed at another window
    expect((await tampered("window", "- {{ `{{args.window}}` | quote }}", '- "10m"')).join("\n")).toMatch(
      /canary-verdict-digits: args/,
    );
  });
});
