import { describe, expect, it } from "vitest";
import { AnalysisDefinitionError, parseDefinition } from "../../../src/canary-judge/definition/schema.js";
import { baseDefinition } from "../../support/canary.js";

describe("schema", () => {
  it("fills defaults", () => {
    const d = parseDefinition(baseDefinition(), "t");
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
    const d = baseDefinition();
    mutate(d);
    expect(() => parseDefinition(d, "t.yaml")).toThrow(AnalysisDefinitionError);
    expect(() => parseDefinition(d, "t.yaml")).toThrow(message);
  });
});
