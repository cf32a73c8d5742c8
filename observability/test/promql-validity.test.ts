/**
 * Every shipped PromQL expression (rules; canary analysis with its placeholders substituted;
 * dashboard targets and variables with Grafana variables substituted) parses for promtool 2.42.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { collectExpressions } from "../lib/expressions.js";
import { invalidExpressions } from "../lib/promql-validity.js";

const expressions = collectExpressions();

describe("PromQL of rules, canary analysis and dashboard parses (promtool)", () => {
  let invalid: Map<number, string>;
  beforeAll(async () => {
    invalid = await invalidExpressions(expressions.map((e) => e.expr));
  });

  it("there are expressions to check", () => {
    expect(expressions.length).toBeGreaterThan(0);
  });

  it.each(expressions.map((e, i) => [e.source, i] as const))("%s", (_source, i) => {
    expect(invalid.get(i)).toBeUndefined();
  });
});

it("the PromQL check rejects an invalid expression", async () => {
  const invalid = await invalidExpressions(["sum(rate(infergate_inference_requests_total[5m])"]);
  expect(invalid.get(0)).toMatch(/unclosed left parenthesis/);
});
