import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../service/src/process/config.js";
import { sha256File } from "../../service/src/repository/cache.js";
import { checkManifestLocation, parseManifest } from "../../service/src/repository/manifest.js";
import { BUNDLED_REPOSITORY, DEGRADED_REPOSITORY } from "../../service/test/support/paths.js";
import { readDataset } from "../../tools/src/accuracy-gate/dataset.js";
import { evaluate } from "../../tools/src/accuracy-gate/evaluator.js";
import { loadForEvaluation } from "../../tools/src/accuracy-gate/load.js";
import { manifestMetrics } from "../../tools/src/accuracy-gate/metrics.js";
import { parseVersionUri } from "../../tools/src/accuracy-gate/model-uri.js";

/**
 * The committed artifacts keep their promises: each manifest describes the bytes beside it, and
 * the metrics it records (computed by models/train.py with onnxruntime in Python) are reproduced
 * exactly by the TypeScript evaluator running the server's own load and inference path.
 */
const SHIPPED = [
  { name: "digits/1", dir: `${BUNDLED_REPOSITORY}/digits/1` },
  { name: "digits/2", dir: `${BUNDLED_REPOSITORY}/digits/2` },
  { name: "degraded digits/3", dir: `${DEGRADED_REPOSITORY}/digits/3` },
];
const VALIDATION = `${BUNDLED_REPOSITORY}/digits/validation.jsonl`;

describe.each(SHIPPED)("shipped model $name", ({ dir }) => {
  const ref = parseVersionUri(dir);

  it("has a manifest that names its place and the sha256 of its model.onnx", async () => {
    const where = `${dir}/manifest.json`;
    const manifest = parseManifest(await readFile(where, "utf8"), where);
    checkManifestLocation(manifest, ref.model, ref.version, where);
    expect(await sha256File(`${dir}/model.onnx`)).toBe(manifest.sha256);
  });

  it("reproduces the manifest's validation metrics exactly (6 places, half even)", async () => {
    const loaded = await loadForEvaluation(ref, loadConfig({}));
    try {
      const recorded = loaded.served.manifest.metrics as Record<string, unknown>;
      expect(recorded.split).toBe("validation");
      expect(recorded.decimals).toBe(6);
      const data = await readDataset(VALIDATION);
      const result = await evaluate(loaded.served, data, { batchSize: 256 });
      const ours = manifestMetrics(result.metrics, result.labels, 6);
      expect(ours).toEqual({
        rows: recorded.rows,
        accuracy: recorded.accuracy,
        macro_f1: recorded.macro_f1,
        per_class_recall: recorded.per_class_recall,
      });
    } finally {
      await loaded.close();
    }
  });
});
