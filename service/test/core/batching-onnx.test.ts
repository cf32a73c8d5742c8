import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostTensor } from "../../src/contract/tensor.js";
import { Batcher } from "../../src/core/batcher.js";
import { Metrics } from "../../src/metrics/service-metrics.js";
import { parseManifest } from "../../src/repository/manifest.js";
import { OnnxModel } from "../../src/runtime/onnx-model.js";
import { validationRows } from "../support/data.js";
import { BUNDLED_REPOSITORY } from "../support/paths.js";

/**
 * Batched runs of the real digits models against one-request runs. The MLP (v2) gives the same
 * bits. The logistic regression (v1, ai.onnx.ml LinearClassifier) goes through an MLAS kernel
 * whose summation order depends on the number of rows, so its probabilities may differ in the
 * last float32 bits (labels never do): that case is checked to 1e-6, and the test says so.
 */
describe.each([
  [1, 1e-6],
  [2, 0],
])("adaptive batching on digits v%i (ONNX Runtime)", (version, tolerance) => {
  let model: OnnxModel;
  const dir = `${BUNDLED_REPOSITORY}/digits/${version}`;
  beforeAll(async () => {
    const manifest = parseManifest(readFileSync(`${dir}/manifest.json`, "utf8"), dir);
    model = await OnnxModel.load(
      `${dir}/model.onnx`,
      manifest,
      { intraOpThreads: 1, graphOptimizationLevel: "all" },
      dir,
    );
  });
  afterAll(async () => {
    await model.release();
  });

  it("matches unbatched outputs row for row over concurrent requests of 1-4 rows", async () => {
    const rows = validationRows();
    const batcher = new Batcher(
      model.run,
      { maxBatchSize: 32, maxQueueDelayUs: 0, maxQueueSize: 1000 },
      new Metrics("stable").forBatcher("digits", version),
    );
    const requests: HostTensor[][] = [];
    for (let at = 0, i = 0; at < rows.length; i++) {
      const n = 1 + (i % 4);
      const chunk = rows.slice(at, at + n);
      at += n;
      requests.push([
        {
          name: "input",
          datatype: "FP32",
          shape: [chunk.length, 64],
          values: Float32Array.from(chunk.flatMap((r) => r.features)),
        },
      ]);
    }
    const batched = await Promise.all(requests.map((r) => batcher.run(r, ["label", "probabilities"])));
    for (let i = 0; i < requests.length; i++) {
      const alone = await model.run(requests[i] as HostTensor[], ["label", "probabilities"]);
      const got = batched[i] as HostTensor[];
      expect(Array.from(got[0]?.values as BigInt64Array)).toEqual(
        Array.from(alone[0]?.values as BigInt64Array),
      );
      const a = got[1]?.values as Float32Array;
      const b = alone[1]?.values as Float32Array;
      expect(a.length).toBe(b.length);
      if (tolerance === 0) expect(Array.from(a)).toEqual(Array.from(b));
      else
        for (let k = 0; k < a.length; k++)
          expect(Math.abs((a[k] as number) - (b[k] as number))).toBeLessThanOrEqual(tolerance);
      expect(got[1]?.shape).toEqual(alone[1]?.shape);
    }
  });
});
