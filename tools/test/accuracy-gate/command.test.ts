import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_REPOSITORY, DEGRADED_REPOSITORY } from "../../../service/test/support/paths.js";
import type { GateReport } from "../../src/accuracy-gate/report.js";
import { runCli } from "../support/cli.js";
import { GATE_FIXTURES } from "../support/paths.js";

const V1 = "models/repository/digits/1";
const V2 = `file://${BUNDLED_REPOSITORY}/digits/2`;
const DEGRADED = `${DEGRADED_REPOSITORY}/digits/3`;
const DATA = "models/repository/digits/validation.jsonl";

const gate = (args: string[], env: Record<string, string> = {}) => runCli("gate accuracy", args, env);

describe("infergate gate accuracy (real process)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "infergate-gate-cli-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("passes digits/2 against digits/1 and writes JSON, Markdown and the job summary", async () => {
    const summary = join(dir, "step-summary.md");
    await writeFile(summary, "previous step\n");
    const json = join(dir, "out/report.json");
    const md = join(dir, "out/report.md");
    const r = await gate(
      ["--candidate", V2, "--baseline", V1, "--data", DATA, "--json-out", json, "--markdown-out", md],
      {
        GITHUB_STEP_SUMMARY: summary,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^accuracy gate: PASSED\n/);
    expect(r.stdout).toContain("candidate digits/2  accuracy 0.975000  macro-F1 0.975066");
    expect(r.stderr).toContain("evaluating candidate");
    const report = JSON.parse(await readFile(json, "utf8")) as GateReport;
    expect(report.passed).toBe(true);
    expect(report.candidate.metrics.accuracy).toBe(0.975);
    expect(report.baseline?.metrics.accuracy).toBe(0.958333);
    expect(report.deltas).toEqual({ accuracy_drop: -0.016667, macro_f1_drop: -0.016943 });
    expect(report.candidate.rows_per_second).toBeGreaterThan(0);
    expect(report.data).toMatchObject({ rows: 360, features: 64, format: "jsonl" });
    const markdown = await readFile(md, "utf8");
    expect(markdown).toContain("## Accuracy gate: ✅ passed");
    expect(await readFile(summary, "utf8")).toBe(`previous step\n${markdown}\n`);
  });

  it("fails the degraded candidate (exit 1)", async () => {
    const r = await gate(["--candidate", DEGRADED, "--baseline", V2, "--data", DATA, "--quiet"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("accuracy gate: FAILED");
    expect(r.stdout).toContain("FAIL candidate accuracy 0.097222 < minimum 0.9");
    expect(r.stderr).toBe("");
  });

  it("fails a regression against the baseline, and passes it under looser thresholds", async () => {
    const r = await gate(["--candidate", V1, "--baseline", V2, "--data", DATA, "--max-drop", "0.01"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("FAIL accuracy drop vs baseline 0.016667 > maximum 0.01");
    const loose = await gate([
      "--candidate",
      V1,
      "--baseline",
      V2,
      "--data",
      DATA,
      "--max-drop",
      "0.02",
      "--max-f1-drop",
      "0.02",
    ]);
    expect(loose.code, loose.stderr).toBe(0);
  });

  it("accepts CSV data and runs without a baseline", async () => {
    // 20 rows: class "0" has 3 of them and one is misread, so the recall floor needs lowering.
    const args = ["--candidate", V2, "--data", `${GATE_FIXTURES}validation-head.csv`, "--quiet"];
    const r = await gate([...args, "--min-class-recall", "0.6"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("(20 rows, 64 features");
    expect(r.stdout).toContain("accuracy 0.950000");
    expect(r.stdout).not.toContain("baseline");
    expect((await gate(args)).code).toBe(1);
  });

  it("prints usage and the default thresholds with --help", async () => {
    const r = await gate(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--min-accuracy <x> .* default 0\.9\n/);
    expect(r.stdout).toMatch(/--max-drop <x> .* default 0\.01\n/);
    expect(r.stdout).toMatch(/--min-class-recall <x> .* default 0\.8\n/);
  });

  const inputErrors: [string, string[], RegExp][] = [
    [
      "a missing data file",
      ["--candidate", V2, "--data", "no/such/file.jsonl"],
      /data file no\/such\/file\.jsonl does not exist/,
    ],
    [
      "a feature count that differs from the model's input",
      ["--candidate", V2, "--data", `${GATE_FIXTURES}wrong-width.jsonl`],
      /feature count mismatch: .* has 63 features per row, but digits version 2 input "input" has shape \[-1,64\]/,
    ],
    [
      "a label outside the manifest's label set",
      ["--candidate", V2, "--baseline", V1, "--data", `${GATE_FIXTURES}label-outside.jsonl`],
      /label set mismatch: row 3 of .* has label 10, but digits version 2 has 10 labels/,
    ],
    [
      "a missing model folder",
      ["--candidate", "models/repository/digits/7", "--data", DATA],
      /models\/repository\/digits\/7: cannot load digits version 7: .*cannot read manifest/,
    ],
    [
      "a URI without <model>/<version>",
      ["--candidate", "models/repository/digits", "--data", DATA],
      /does not end in <model>\/<version>/,
    ],
  ];
  it.each(inputErrors)("exits 2 on %s, with a clear message", async (_, args, message) => {
    const r = await gate([...args, "--quiet"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^infergate gate accuracy: error: /m);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain("unexpected error");
    expect(r.stdout).toBe("");
  });

  const usageErrors: [string, string[], RegExp][] = [
    [
      "an unknown option",
      ["--candidate", V2, "--data", DATA, "--min-acc", "0.9"],
      /Unknown option '--min-acc'/,
    ],
    [
      "a threshold out of range",
      ["--candidate", V2, "--data", DATA, "--min-accuracy", "1.5"],
      /--min-accuracy must be a number in \[0, 1\]/,
    ],
    ["a missing --candidate", ["--data", DATA], /--candidate is required/],
  ];
  it.each(usageErrors)("exits 2 on %s, with a one-line usage error", async (_, args, message) => {
    const r = await gate([...args, "--quiet"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^infergate gate accuracy: .* \(run "infergate gate accuracy --help"\)\n$/);
    expect(r.stderr.split("\n")).toHaveLength(2); // one line and its newline
    expect(r.stdout).toBe("");
  });

  it("exits 2 when candidate and baseline have different label sets", async () => {
    const other = join(dir, "repo/digits/4");
    await cp(`${BUNDLED_REPOSITORY}/digits/2`, other, { recursive: true });
    const manifest = JSON.parse(await readFile(join(other, "manifest.json"), "utf8"));
    await writeFile(
      join(other, "manifest.json"),
      JSON.stringify({ ...manifest, version: 4, labels: manifest.labels.map((l: string) => `digit-${l}`) }),
    );
    const r = await gate(["--candidate", other, "--baseline", V2, "--data", DATA, "--quiet"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("label set mismatch: candidate labels [digit-0, digit-1");
  });
});
