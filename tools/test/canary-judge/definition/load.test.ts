import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../../../../service/test/support/paths.js";
import {
  DEFINITION_ENV,
  defaultDefinitionPath,
  loadDefinition,
} from "../../../src/canary-judge/definition/load.js";
import { AnalysisDefinitionError } from "../../../src/canary-judge/definition/schema.js";
import { baseDefinition } from "../../support/canary.js";

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
    await writeFile(join(dir, "d.json"), JSON.stringify(baseDefinition()));
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
