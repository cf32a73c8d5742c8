import { describe, expect, it } from "vitest";
import {
  fastFailCondition,
  fastFailQuery,
  formatGoFloat,
  renderQuery,
} from "../../../src/canary-judge/definition/queries.js";
import { parseDefinition, type SamplesMetric } from "../../../src/canary-judge/definition/schema.js";
import { baseDefinition } from "../../support/canary.js";

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
    const d = parseDefinition(baseDefinition(), "t");
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
});
