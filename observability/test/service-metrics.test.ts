/**
 * The shipped PromQL (alert rules, canary analysis, dashboard) against the REAL service: started
 * as `npm start` starts it, sent one real inference by the chart's `helm test` script (so counters
 * and histograms have series), then scraped. Every metric name used must be exported (or made by
 * a recording rule, or promised as pending by metrics-contract.yaml), and every label matcher,
 * grouping label and `le` bucket must exist on it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { type RunResult, run } from "../../scripts/lib/run.js";
import { collectExpressions } from "../lib/expressions.js";
import { checkMetricNames, type MetricReport } from "../lib/metric-names.js";
import { analyse } from "../lib/promql.js";
import { type RunningService, startService } from "../lib/service.js";

const expressions = collectExpressions();
const referenced = [...new Set(expressions.flatMap((e) => [...analyse(e.expr).names]))].sort();

let service: RunningService | undefined;
let helmTest: RunResult;
let report: MetricReport;

beforeAll(async () => {
  service = await startService();
  helmTest = await run(process.execPath, ["helm/infergate/files/helm-test.js"], {
    cwd: REPO_ROOT,
    env: { ...process.env, BASE_URL: service.baseUrl, MODEL: "digits", DEADLINE_SECONDS: "20" },
    timeoutMs: 60_000,
  });
  const scrape = await fetch(`${service.baseUrl}/metrics`);
  if (!scrape.ok) throw new Error(`GET /metrics answered ${scrape.status}`);
  report = checkMetricNames(await scrape.text());
}, 180_000);

afterAll(() => service?.stop());

it("the chart's helm test script (readiness + one infer request) passes against the real service", () => {
  expect(helmTest.code, `${helmTest.stdout}${helmTest.stderr}\nservice log:\n${service?.log()}`).toBe(0);
});

it("the scrape holds metric families", () => {
  expect(report.families.size).toBeGreaterThan(0);
});

describe("metric names used by the shipped PromQL", () => {
  it.each(referenced)(
    "%s is exported by the service, made by a recording rule, or pending in the contract",
    async (name) => {
      const r = report.names.get(name);
      expect(r, `${name} was not analysed`).toBeDefined();
      expect(r?.status, `${name} is not exported (used by ${[...(r?.sources ?? [])].join("; ")})`).not.toBe(
        "missing",
      );
    },
  );
});

describe("labels, grouping labels and le buckets exist on the metrics", () => {
  it.each(expressions.map((e) => e.source))("%s", (source) => {
    expect(report.labelProblems.get(source)).toEqual([]);
  });
});

it("every metric metrics-contract.yaml lists as exported is in the scrape", ({ annotate }) => {
  for (const note of report.notes) annotate(note);
  const pending = [...report.names].filter(([, r]) => r.status === "pending").map(([name]) => name);
  if (pending.length) annotate(`PENDING (promised by the contract, not exported yet): ${pending.join(", ")}`);
  expect(report.failures.filter((f) => f.includes("as exported, but missing from the scrape"))).toEqual([]);
});
