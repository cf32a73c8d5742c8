/**
 * The chart's alert and recording rules (files/prometheus-rules.yaml, which the PrometheusRule
 * embeds): valid for promtool, their unit tests (prometheus-rules.test.yaml) pass, and every
 * alert has a unit test where it fires and one where it stays quiet.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { run } from "../../scripts/lib/run.js";
import { tool } from "../../scripts/lib/tools.js";
import { alertCoverage, alertNames, unknownAlerts } from "../lib/alert-coverage.js";
import { CHART } from "../lib/chart.js";

const RULES = `${CHART}/files/prometheus-rules.yaml`;
const UNIT_TESTS = "helm/test/prometheus-rules.test.yaml";
const at = (path: string) => join(REPO_ROOT, path);

describe("promtool", () => {
  it(`check rules ${RULES}`, async () => {
    const r = await run(await tool("promtool"), ["check", "rules", RULES]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it(`test rules ${UNIT_TESTS}`, async () => {
    const r = await run(await tool("promtool"), ["test", "rules", UNIT_TESTS]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

describe("alert unit-test coverage", () => {
  const coverage = alertCoverage(at(RULES), at(UNIT_TESTS));

  it("the rule file has alerts", () => {
    expect(alertNames(at(RULES)).length).toBeGreaterThan(0);
  });

  it.each(coverage.map((c) => [c.alert, c] as const))(
    "alert %s has unit tests that fire and stay quiet",
    (_alert, c) => {
      expect({ fires: c.fires, quiet: c.quiet }).toEqual({ fires: true, quiet: true });
    },
  );

  it("every unit test names an alert of the rule file", () => {
    expect(unknownAlerts(at(RULES), at(UNIT_TESTS))).toEqual([]);
  });
});
