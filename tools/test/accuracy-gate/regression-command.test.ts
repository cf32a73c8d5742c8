import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../service/src/process/config.js";
import { type ConverterModels, makeConverterModels } from "../../../service/test/runtime/converter-models.js";
import type { RegressionGateReport } from "../../src/accuracy-gate/regression-report.js";
import { initModel } from "../../src/model-init/init.js";
import { infergate } from "../support/cli.js";

/**
 * `infergate gate accuracy` on regressors made by converters and `model init`: the task comes
 * from the manifest or --task, a good regressor passes, one that learnt nothing fails against
 * it, and data the gate cannot use stops it with exit 2 and one clear line.
 */
let models: ConverterModels;
let dir: string;
let good: string;
let degraded: string;
let untasked: string;

const gate = (args: string[], env: Record<string, string> = {}) =>
  infergate(["gate", "accuracy", ...args, "--quiet"], env);

beforeAll(async () => {
  models = await makeConverterModels();
  dir = await mkdtemp(join(tmpdir(), "infergate-regression-gate-"));
  const repo = join(dir, "repository");
  const runtime = loadConfig({}).runtime;
  const init = (model: "regressor" | "degraded", version: number, task?: "regression") =>
    initModel({ model: models.model(model), name: "price", version, repository: repo, task, runtime });
  good = (await init("regressor", 1, "regression")).folder;
  degraded = (await init("degraded", 2, "regression")).folder;
  untasked = (await init("regressor", 3)).folder;
});
afterAll(async () => {
  await models?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe("infergate gate accuracy, regression (real process)", () => {
  it("passes a good regressor, reading the task from its manifest, and writes the reports", async () => {
    const json = join(dir, "good.json");
    const md = join(dir, "good.md");
    const rows = join(dir, "good-rows.jsonl");
    const summary = join(dir, "summary.md");
    const args = ["--candidate", good, "--data", models.regressionData];
    const r = await gate([...args, "--json-out", json, "--markdown-out", md, "--predictions-out", rows], {
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^accuracy gate: PASSED\ndata: .*regression\.jsonl \(200 rows, 4 features, sha256 \w{12}\)\n/,
    );
    expect(r.stdout).toContain('task: regression (predictions from output "variable")');
    expect(r.stdout).toMatch(/candidate price\/1 {2}MAE \d\.\d{6} {2}RMSE \d\.\d{6} {2}R² 0\.9\d{5}/);
    expect(r.stdout).toMatch(/ok {3}candidate R² 0\.9\d{5} ≥ minimum 0\.5/);
    const report = JSON.parse(await readFile(json, "utf8")) as RegressionGateReport;
    expect(report).toMatchObject({
      schema_version: 1,
      task: "regression",
      passed: true,
      baseline: null,
      deltas: null,
    });
    expect(report.candidate.metrics.rows).toBe(200);
    expect(report.candidate.metrics.r2).toBeGreaterThan(0.9);
    expect(report.candidate.metrics.rmse).toBeGreaterThanOrEqual(report.candidate.metrics.mae);
    const markdown = await readFile(md, "utf8");
    expect(markdown).toMatch(/^## Accuracy gate \(regression\): ✅ passed\n/);
    expect(await readFile(summary, "utf8")).toBe(`${markdown}\n`);
    const predictions = (await readFile(rows, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(predictions).toHaveLength(200);
    expect(predictions[0]).toEqual({ row: 1, target: expect.any(Number), predicted: expect.any(Number) });
  });

  it("fails a regressor that learnt nothing, alone and against the good one (exit 1)", async () => {
    const alone = await gate(["--candidate", degraded, "--data", models.regressionData]);
    expect(alone.code, alone.stderr).toBe(1);
    expect(alone.stdout).toMatch(/^accuracy gate: FAILED\n/);
    expect(alone.stdout).toMatch(/FAIL candidate R² -?0\.\d{6} < minimum 0\.5/);
    const json = join(dir, "degraded.json");
    const r = await gate([
      "--candidate",
      degraded,
      "--baseline",
      good,
      "--data",
      models.regressionData,
      "--json-out",
      json,
    ]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(await readFile(json, "utf8")) as RegressionGateReport;
    expect(report.checks.map((c) => [c.id, c.passed])).toEqual([
      ["min_r2", false],
      ["max_mae_increase", false],
      ["max_rmse_increase", false],
      ["max_r2_drop", false],
    ]);
    expect(report.deltas?.mae_increase).toBeGreaterThan(1);
    // And the other way round the good one passes against the degraded baseline.
    expect(
      (await gate(["--candidate", good, "--baseline", degraded, "--data", models.regressionData])).code,
    ).toBe(0);
  });

  it("takes the task from --task when the manifest does not say it, and asks for it otherwise", async () => {
    const flagged = await gate([
      "--candidate",
      untasked,
      "--task",
      "regression",
      "--data",
      models.regressionData,
    ]);
    expect(flagged.code, flagged.stderr).toBe(0);
    const unsaid = await gate(["--candidate", untasked, "--data", models.regressionData]);
    expect(unsaid.code).toBe(2);
    expect(unsaid.stderr).toMatch(
      /price version 3 does not say what it predicts .*pass --task classification or --task regression/,
    );
  });

  const unusable: [string, string, RegExp][] = [
    [
      "constant targets",
      '{"features":[1,2,3,4],"target":5}\n{"features":[2,3,4,5],"target":5}\n',
      /every target is 5 \(2 rows\); R² needs targets that vary/,
    ],
    [
      "rows without a target",
      '{"features":[1,2,3,4],"label":1}\n',
      /:1: target undefined is not a finite number/,
    ],
    [
      "a target that is not a number",
      '{"features":[1,2,3,4],"target":"high"}\n',
      /:1: target "high" is not a finite number/,
    ],
    [
      "rows of the wrong width",
      '{"features":[1,2,3],"target":1}\n{"features":[1,2,3],"target":2}\n',
      /has 3 features per row, but price version 1 input "features" has shape \[-1,4\]/,
    ],
    ["no rows", "\n", /has no rows/],
  ];
  it.each(unusable)("exits 2 on %s, with one clear line", async (name, text, message) => {
    const data = join(dir, `${name.replaceAll(" ", "-")}.jsonl`);
    await writeFile(data, text);
    const r = await gate(["--candidate", good, "--data", data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^infergate gate accuracy: error: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stdout).toBe("");
  });

  it("refuses a classification threshold on a regression gate, and an unknown task (exit 2)", async () => {
    const r = await gate(["--candidate", good, "--data", models.regressionData, "--min-accuracy", "0.9"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--min-accuracy is a classification threshold, but this gate runs regression");
    const t = await gate(["--candidate", good, "--data", models.regressionData, "--task", "ranking"]);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('--task must be one of classification, regression, got "ranking"');
  });
});
