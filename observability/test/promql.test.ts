/** Unit tests of the PromQL lexer: metric names, grouping labels, placeholder substitution. */
import { describe, expect, it } from "vitest";
import { analyse, substitute } from "../lib/promql.js";

const cases: [expr: string, names: string[], grouping: string[]][] = [
  [
    'sum by (le, model) (rate(foo_bucket{le="0.25", a=~"x|y"}[5m])) / on() group_left bar offset 5m > 0.5 or on() vector(0)',
    ["foo_bucket", "bar"],
    ["le", "model"],
  ],
  ['{__name__="baz", job="x"} unless ignoring(pod) qux', ["baz", "qux"], ["pod"]],
  [
    "histogram_quantile(0.95, sum without (instance) (rate(h_bucket[1m]))) > 1e-3 and inf > NaN",
    ["h_bucket"],
    ["instance"],
  ],
  [
    'label_replace(up, "dst", "$1 and or sum", "src", "(.*)") * count_over_time(up[5m:1m] @ 1609746000)',
    ["up"],
    [],
  ],
  ["max_over_time(deriv(rate(distance_covered_total[5s])[30s:5s])[10m:])", ["distance_covered_total"], []],
  ["a:recorded:rate5m > bool 0.1", ["a:recorded:rate5m"], []],
];

describe("analyse", () => {
  it.each(cases)("names of %s", (expr, names) => {
    expect([...analyse(expr).names].sort()).toEqual([...names].sort());
  });

  it.each(cases)("grouping of %s", (expr, _names, grouping) => {
    expect([...analyse(expr).grouping].sort()).toEqual([...grouping].sort());
  });
});

describe("substitute", () => {
  it("placeholders substituted (Argo Rollouts args, Grafana variables)", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${job} is a Grafana variable, not a template
    expect(substitute('x{job="{{args.job}}"}[{{ args.window }}] $model ${job} $__rate_interval')).toBe(
      'x{job="infergate"}[5m] digits infergate 5m',
    );
  });

  it("canary judgement placeholders substituted", () => {
    expect(substitute('x{track="{{track}}", {{selector}}}[{{range}}]')).toBe(
      'x{track="canary", model="digits"}[5m]',
    );
  });

  it("unknown placeholder rejected", () => {
    expect(() => substitute("{{args.nope}}")).toThrow(/no sample value/);
  });
});
