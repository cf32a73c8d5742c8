import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type AnalysisDefinition,
  AnalysisDefinitionError,
  DEFINITION_ENV,
  defaultDefinitionPath,
  fastFailCondition,
  fastFailQuery,
  formatDuration,
  formatGoFloat,
  loadDefinition,
  parseDefinition,
  parseDuration,
  renderQuery,
  resolveJudgement,
  type SamplesMetric,
} from "../../src/canary/definition.js";
import { REPO_ROOT } from "../support/paths.js";

const SHIPPED = `${REPO_ROOT}helm/infergate/files/canary-analysis.yaml`;

describe("the shipped definition (helm/infergate/files/canary-analysis.yaml)", () => {
  it("is found from the source tree and parses", async () => {
    expect(defaultDefinitionPath()).toBe(SHIPPED);
    const { definition, source } = await loadDefinition(undefined, {});
    expect(source).toBe(SHIPPED);
    expect(definition.metrics.map((m) => [m.name, m.kind])).toEqual([
      ["error-rate", "samples"],
      ["p95-latency", "samples"],
      ["p99-latency", "samples"],
      ["prediction-shift", "distribution"],
      ["shadow-agreement", "agreement"],
    ]);
    expect(definition.metrics.filter((m) => m.critical).map((m) => m.name)).toEqual(["error-rate"]);
    expect(definition.judgement).toMatchObject({ confidence: 0.95, score: { pass: 95, marginal: 75 } });
  });

  it("counts server errors, timeouts and rejections, never client errors", async () => {
    const { definition } = await loadDefinition(undefined, {});
    const q = definition.metrics[0]?.query ?? "";
    expect(q).toContain('outcome=~"server_error|timeout|rejected"');
    expect(q).toContain('outcome!="client_error"');
  });
});

function base(): Record<string, unknown> {
  return {
    args: [
      { name: "window", default: "5m" },
      { name: "step", default: "1m" },
    ],
    judgement: {
      confidence: 0.95,
      minIntervals: 4,
      score: { pass: 95, marginal: 75 },
      job: { interval: "5m", failureLimit: 0 },
    },
    metrics: [
      {
        name: "error-rate",
        kind: "samples",
        query: 'sum(rate(x{track="{{track}}", {{selector}}}[{{range}}]))',
        count: 'sum(increase(x{track="{{track}}", {{selector}}}[{{range}}]))',
        effect: "difference",
        tolerance: 0.005,
        hardLimit: 0.01,
        minSamples: 200,
        fastFail: { name: "e", interval: "1m", failureLimit: 2 },
      },
      {
        name: "lat",
        kind: "samples",
        query: 'q{track="{{track}}", {{selector}}}[{{range}}]',
        count: 'c{track="{{track}}", {{selector}}}[{{range}}]',
        effect: "ratio",
        floor: 0.01,
        tolerance: 1.1,
        hardLimit: 1.25,
      },
    ],
  };
}

describe("schema", () => {
  it("fills defaults", () => {
    const d = parseDefinition(base(), "t");
    expect(d.metrics[1]).toMatchObject({
      direction: "increase",
      critical: false,
      weight: 1,
      minSamples: 0,
      unit: "number",
    });
    expect(d.models).toEqual({});
  });
  it.each([
    [
      "an unknown placeholder",
      (d: any) => (d.metrics[0].query = "x{{model}}"),
      /unknown placeholder \{\{model\}\}/,
    ],
    [
      "a fast-fail metric without a hard limit",
      (d: any) => delete d.metrics[0].hardLimit,
      /fastFail needs a hardLimit/,
    ],
    [
      "a fast-fail metric that does not select the track",
      (d: any) => (d.metrics[0].count = "c{{selector}}"),
      /must select \{\{track\}\}/,
    ],
    ["a duplicate metric", (d: any) => d.metrics.push({ ...d.metrics[1] }), /duplicate metric lat/],
    ["a misspelt field", (d: any) => (d.metrics[1].tolerence = 1), /tolerence/],
    [
      "a missing window default",
      (d: any) => (d.args = [{ name: "step", default: "1m" }]),
      /"window" needs a default/,
    ],
    [
      "an override of an unknown metric",
      (d: any) => (d.models = { digits: { metrics: { nope: { weight: 1 } } } }),
      /unknown metric nope/,
    ],
    ["a bad effect", (d: any) => (d.metrics[1].effect = "log"), /effect/],
  ])("rejects %s", (_name, mutate, message) => {
    const d = base();
    mutate(d);
    expect(() => parseDefinition(d, "t.yaml")).toThrow(AnalysisDefinitionError);
    expect(() => parseDefinition(d, "t.yaml")).toThrow(message);
  });
});

describe("per-model and command-line overrides", () => {
  const d = (): AnalysisDefinition =>
    parseDefinition(
      {
        ...base(),
        models: {
          digits: { minIntervals: 6, score: { pass: 90 }, metrics: { lat: { floor: 0.002, weight: 5 } } },
        },
      },
      "t",
    );
  it("model overrides apply to that model only", () => {
    const digits = resolveJudgement(d(), "digits");
    expect(digits).toMatchObject({ minIntervals: 6, score: { pass: 90, marginal: 75 } });
    expect(digits.metrics[1]).toMatchObject({ floor: 0.002, weight: 5, tolerance: 1.1 });
    expect(resolveJudgement(d(), "other").metrics[1]).toMatchObject({ floor: 0.01, weight: 1 });
  });
  it("the command line wins over the model, '*' applies to every metric", () => {
    const r = resolveJudgement(d(), "digits", {
      confidence: 0.99,
      score: { marginal: 50 },
      metrics: { "*": { minSamples: 5 }, lat: { floor: 0.05 } },
    });
    expect(r).toMatchObject({ confidence: 0.99, score: { pass: 90, marginal: 50 } });
    expect(r.metrics.map((m) => m.minSamples)).toEqual([5, 5]);
    expect(r.metrics[1]).toMatchObject({ floor: 0.05, weight: 5 });
  });
  it("rejects unknown metrics and a marginal cut-off above the pass cut-off", () => {
    expect(() => resolveJudgement(d(), "digits", { metrics: { nope: { weight: 1 } } })).toThrow(
      /unknown metric "nope"/,
    );
    expect(() => resolveJudgement(d(), "digits", { score: { marginal: 96 } })).toThrow(
      /marginal \(96\) above pass \(90\)/,
    );
  });
});

describe("query rendering", () => {
  it("fills track, selector and range literally", () => {
    expect(
      renderQuery('  sum(rate(x{track="{{track}}", {{selector}}}[{{range}}])) / {{track}}\n', {
        track: "canary",
        selector: 'model="digits"',
        range: "5s",
      }),
    ).toBe('sum(rate(x{track="canary", model="digits"}[5s])) / canary');
  });
  it("builds the fast-fail effect queries (difference and ratio) with the sample guard", () => {
    const d = parseDefinition(base(), "t");
    const [err, lat] = d.metrics as [SamplesMetric, SamplesMetric];
    const sel = 'namespace="{{args.namespace}}", job="{{args.job}}"';
    expect(fastFailQuery(err, { selector: sel, range: "{{args.window}}" })).toBe(
      [
        "((",
        'sum(rate(x{track="canary", namespace="{{args.namespace}}", job="{{args.job}}"}[{{args.window}}]))',
        ") - ((",
        'sum(rate(x{track="stable", namespace="{{args.namespace}}", job="{{args.job}}"}[{{args.window}}]))',
        ") >= -Inf or on() vector(0))) >= -Inf",
        "and on() (",
        'sum(increase(x{track="canary", namespace="{{args.namespace}}", job="{{args.job}}"}[{{args.window}}]))',
        ") >= 200",
        "and on() (",
        'sum(increase(x{track="stable", namespace="{{args.namespace}}", job="{{args.job}}"}[{{args.window}}]))',
        ") >= 200",
        "or on() vector(0)",
      ].join("\n"),
    );
    expect(fastFailQuery(lat, { selector: 's="1"', range: "1m" })).toMatch(
      /^\(clamp_min\(\nq\{track="canary", s="1"\}\[1m\]\n, 0.01\) \/ clamp_min\(\nq\{track="stable", s="1"\}\[1m\]\n, 0.01\)\) >= 0\nand on\(\) \(\nc\{track="canary", s="1"\}\[1m\]\n\) >= 0\n/,
    );
    expect(fastFailCondition(err)).toBe("result[0] <= 0.01");
  });
  it("prints numbers as Helm does (Go %v of a float64)", () => {
    // checked against `helm template` output of the same numbers read with fromYaml
    expect(
      [200, 0.01, 1.25, 0.005, 1e6, 123456, 0.0001, 1e-5, 2.5e-7, 100000, 1e21, 0].map(formatGoFloat),
    ).toEqual([
      "200",
      "0.01",
      "1.25",
      "0.005",
      "1e+06",
      "123456",
      "0.0001",
      "1e-05",
      "2.5e-07",
      "100000",
      "1e+21",
      "0",
    ]);
  });
  it("durations", () => {
    expect(["40s", "5m", "1h30m", "500ms", "1d"].map(parseDuration)).toEqual([40, 300, 5400, 0.5, 86400]);
    expect(() => parseDuration("5 minutes")).toThrow(RangeError);
    expect([40, 300, 3600, 90, 0.5].map(formatDuration)).toEqual(["40s", "5m", "1h", "90s", "500ms"]);
  });
});

describe("loading", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "infergate-canary-def-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads base64 JSON from $INFERGATE_CANARY_ANALYSIS (the chart's Job metric), equal to the YAML file", async () => {
    const { readFile } = await import("node:fs/promises");
    const raw = parse(await readFile(SHIPPED, "utf8")) as unknown;
    const env = { [DEFINITION_ENV]: Buffer.from(JSON.stringify(raw)).toString("base64") };
    const fromEnv = await loadDefinition(undefined, env);
    expect(fromEnv.source).toBe(`$${DEFINITION_ENV}`);
    expect(fromEnv.definition).toEqual((await loadDefinition(SHIPPED, {})).definition);
    // an explicit --analysis wins over the variable
    await writeFile(join(dir, "d.json"), JSON.stringify(base()));
    expect((await loadDefinition(join(dir, "d.json"), env)).definition.metrics).toHaveLength(2);
  });

  it("fails clearly on bad input", async () => {
    await expect(loadDefinition(undefined, { [DEFINITION_ENV]: "bm90IGpzb24=" })).rejects.toThrow(
      /not base64-encoded JSON/,
    );
    await expect(loadDefinition(join(dir, "missing.yaml"), {})).rejects.toThrow(/cannot read/);
    await writeFile(join(dir, "bad.yaml"), "metrics: [\n");
    await expect(loadDefinition(join(dir, "bad.yaml"), {})).rejects.toThrow(AnalysisDefinitionError);
    await writeFile(join(dir, "empty.json"), "{}");
    await expect(loadDefinition(join(dir, "empty.json"), {})).rejects.toThrow(
      /invalid canary analysis definition/,
    );
  });
});
