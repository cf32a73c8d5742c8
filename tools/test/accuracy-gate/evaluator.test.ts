import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../service/src/process/config.js";
import { BUNDLED_REPOSITORY, DEGRADED_REPOSITORY } from "../../../service/test/support/paths.js";
import { type Dataset, readDataset } from "../../src/accuracy-gate/dataset.js";
import { EvaluationInputError } from "../../src/accuracy-gate/errors.js";
import { evaluate } from "../../src/accuracy-gate/evaluator.js";
import { DEFAULT_THRESHOLDS, decide } from "../../src/accuracy-gate/gate.js";
import { type LoadedVersion, loadForEvaluation } from "../../src/accuracy-gate/load.js";
import { parseVersionUri } from "../../src/accuracy-gate/model-uri.js";
import { renderMarkdown, renderText } from "../../src/accuracy-gate/render.js";
import { buildReport } from "../../src/accuracy-gate/report.js";
import { GATE_FIXTURES } from "../support/paths.js";

const config = loadConfig({});
const load = (path: string) => loadForEvaluation(parseVersionUri(path), config);

describe("evaluator on the shipped models (server load + run path)", () => {
  let data: Dataset;
  let v1: LoadedVersion;
  let v2: LoadedVersion;
  let degraded: LoadedVersion;
  beforeAll(async () => {
    data = await readDataset(`${BUNDLED_REPOSITORY}/digits/validation.jsonl`);
    v1 = await load(`${BUNDLED_REPOSITORY}/digits/1`);
    v2 = await load(`${BUNDLED_REPOSITORY}/digits/2`);
    degraded = await load(`${DEGRADED_REPOSITORY}/digits/3`);
  });
  afterAll(async () => {
    await Promise.all([v1, v2, degraded].map((v) => v?.close()));
  });

  it("passes v2 against v1 and fails v1 against v2 with the expected numbers", async () => {
    const e1 = await evaluate(v1.served, data, { batchSize: 256 });
    const e2 = await evaluate(v2.served, data, { batchSize: 256 });
    expect([e1.metrics.correct, e2.metrics.correct]).toEqual([345, 351]);
    const pass = decide(e2.metrics, e1.metrics, e2.labels, DEFAULT_THRESHOLDS);
    expect(pass.passed).toBe(true);
    expect([pass.accuracyDrop, pass.macroF1Drop]).toEqual([-0.016667, -0.016943]);
    const regression = decide(e1.metrics, e2.metrics, e1.labels, DEFAULT_THRESHOLDS);
    expect(regression.passed).toBe(false);
    expect(regression.accuracyDrop).toBe(0.016667);
    expect(regression.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual([
      "max_accuracy_drop",
      "max_macro_f1_drop",
    ]);
    expect(e1.rowsPerSecond).toBeGreaterThan(0);
  });

  it("fails the degraded candidate on every check", async () => {
    const e3 = await evaluate(degraded.served, data, { batchSize: 256 });
    const e2 = await evaluate(v2.served, data, { batchSize: 256 });
    const d = decide(e3.metrics, e2.metrics, e3.labels, DEFAULT_THRESHOLDS);
    expect(e3.metrics.correct).toBe(35); // the 35 eights: it answers 8 for every row
    expect(d.checks.every((c) => !c.passed)).toBe(true);
  });

  it("gives the same labels for any batch size, and the same probabilities once batches have 2+ rows", async () => {
    const opts = { keepProbabilities: true } as const;
    for (const v of [v1, v2]) {
      const ref = await evaluate(v.served, data, { ...opts, batchSize: 256 });
      for (const batchSize of [1, 7, 360]) {
        const other = await evaluate(v.served, data, { ...opts, batchSize });
        expect(Array.from(other.predicted)).toEqual(Array.from(ref.predicted));
        expect(other.metrics).toEqual(ref.metrics);
        if (batchSize > 1)
          expect(Array.from(other.probabilities ?? [])).toEqual(Array.from(ref.probabilities ?? []));
      }
    }
  });

  it("refuses data that does not fit the model", async () => {
    const wide = await readDataset(`${GATE_FIXTURES}wrong-width.jsonl`);
    await expect(evaluate(v2.served, wide, { batchSize: 256 })).rejects.toThrow(
      /feature count mismatch: .*wrong-width\.jsonl has 63 features per row, but digits version 2 input "input" has shape \[-1,64\]/,
    );
    const labels = await readDataset(`${GATE_FIXTURES}label-outside.jsonl`);
    await expect(evaluate(v2.served, labels, { batchSize: 256 })).rejects.toThrow(
      /label set mismatch: row 3 of .*label-outside\.jsonl has label 10, but digits version 2 has 10 labels/,
    );
  });

  it("renders text and Markdown reports from the JSON report", async () => {
    const e1 = await evaluate(v1.served, data, { batchSize: 256 });
    const e2 = await evaluate(v2.served, data, { batchSize: 256 });
    const decision = decide(e1.metrics, e2.metrics, e1.labels, DEFAULT_THRESHOLDS);
    const report = buildReport(
      data,
      DEFAULT_THRESHOLDS,
      decision,
      { ref: v1.ref, sha256: v1.served.manifest.sha256, evaluation: e1 },
      { ref: v2.ref, sha256: v2.served.manifest.sha256, evaluation: e2 },
    );
    expect(report.candidate.metrics).toMatchObject({ accuracy: 0.958333, macro_f1: 0.958123, correct: 345 });
    expect(report.candidate.metrics.confusion_matrix[8]?.[8]).toBe(30);
    expect(report.deltas).toEqual({ accuracy_drop: 0.016667, macro_f1_drop: 0.016943 });
    const text = renderText(report);
    expect(text).toMatch(/^accuracy gate: FAILED\n/);
    expect(text).toContain("FAIL accuracy drop vs baseline 0.016667 > maximum 0.01");
    const md = renderMarkdown(report);
    expect(md).toContain("## Accuracy gate: ❌ failed");
    expect(md).toContain("| accuracy | 0.958333 | 0.975000 | -0.016667 | ≥ 0.9; drop ≤ 0.01 |");
    expect(md).toContain("| **8** | 0 | 2 | 1 | 0 | 0 | 1 | 1 | 0 | 30 | 0 |");
  });
});

describe("loading for evaluation", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "infergate-eval-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("turns a missing folder or a tampered artifact into an input error naming the version", async () => {
    await expect(load(join(dir, "digits/9"))).rejects.toThrow(EvaluationInputError);
    await expect(load(join(dir, "digits/9"))).rejects.toThrow(
      /digits\/9: cannot load digits version 9: .*cannot read manifest/,
    );
    await cp(`${BUNDLED_REPOSITORY}/digits/2`, join(dir, "digits/2"), { recursive: true });
    const onnx = join(dir, "digits/2/model.onnx");
    await writeFile(onnx, Buffer.concat([await readFile(onnx), Buffer.from([0])]));
    await expect(load(join(dir, "digits/2"))).rejects.toThrow(/does not match the manifest/);
  });
});
