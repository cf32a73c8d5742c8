import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostTensor, Signature } from "../../src/contract/tensor.js";
import { ModelLoadError } from "../../src/errors.js";
import { OnnxModel, type RuntimeOptions } from "../../src/runtime/onnx-model.js";
import { syntheticInputs } from "../../src/runtime/warmup.js";
import { type ConverterModels, makeConverterModels } from "./converter-models.js";

/**
 * Warm-up on a converter-made model that synthetic data breaks: skl2onnx's OneHotEncoder refuses
 * the empty string the synthetic warm-up sends for a BYTES input ("Unknown Category"), while the
 * model serves real rows. Samples must run and fail the load when they fail; synthetic data may not.
 */
const ONEHOT: Signature = {
  inputs: [
    { name: "color", datatype: "BYTES", shape: [-1, 1] },
    { name: "num", datatype: "FP32", shape: [-1, 2] },
  ],
  outputs: [
    { name: "label", datatype: "INT64", shape: [-1] },
    { name: "probabilities", datatype: "FP32", shape: [-1, 3] },
  ],
};
const RUNTIME: RuntimeOptions = { intraOpThreads: 1, graphOptimizationLevel: "all" };

function rows(colors: string[]): HostTensor[] {
  return [
    { name: "color", datatype: "BYTES", shape: [colors.length, 1], values: colors },
    { name: "num", datatype: "FP32", shape: [colors.length, 2], values: new Float32Array(colors.length * 2) },
  ];
}

let models: ConverterModels;
beforeAll(async () => {
  models = await makeConverterModels();
});
afterAll(async () => {
  await models?.cleanup();
});

describe("warm-up", () => {
  it("makes zeros of every input with dynamic dims set to 1 (empty strings for BYTES)", () => {
    expect(syntheticInputs(ONEHOT)).toEqual([
      { name: "color", datatype: "BYTES", shape: [1, 1], values: [""] },
      { name: "num", datatype: "FP32", shape: [1, 2], values: new Float32Array(2) },
    ]);
  });

  it("reports a failed synthetic warm-up instead of failing the load, and the model serves real rows", async () => {
    const model = await OnnxModel.load(models.model("onehot"), ONEHOT, RUNTIME, "onehot/1");
    try {
      expect(model.warmup).toEqual({
        kind: "synthetic_failed",
        message: expect.stringContaining("Unknown Category"),
      });
      const [label, probabilities] = await model.run(rows(["red", "blue"]), ["label", "probabilities"]);
      expect(label?.shape).toEqual([2]);
      expect(probabilities?.shape).toEqual([2, 3]);
    } finally {
      await model.release();
    }
  });

  it("runs the samples instead of synthetic data when given", async () => {
    const samples = [rows(["red"]), rows(["green", "blue", "red"])];
    const model = await OnnxModel.load(models.model("onehot"), ONEHOT, RUNTIME, "onehot/1", samples);
    expect(model.warmup).toEqual({ kind: "samples", runs: 2 });
    await model.release();
  });

  it("fails the load when a sample fails, naming the sample", async () => {
    const samples = [rows(["red"]), rows(["purple"])];
    const err = await OnnxModel.load(models.model("onehot"), ONEHOT, RUNTIME, "onehot/1", samples).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).reason).toBe("warmup");
    expect((err as Error).message).toMatch(/^onehot\/1: warm-up sample 2 of 2 failed: .*Unknown Category/);
  });

  it("still gates on the signature: a manifest that does not match the graph fails whatever the warm-up", async () => {
    const wrong: Signature = { ...ONEHOT, inputs: [{ name: "color", datatype: "BYTES", shape: [-1, 1] }] };
    const err = await OnnxModel.load(models.model("onehot"), wrong, RUNTIME, "onehot/1").catch(
      (e: unknown) => e,
    );
    expect((err as ModelLoadError).reason).toBe("signature");
  });

  it("warms a model that synthetic data suits without a report", async () => {
    const signature: Signature = {
      inputs: [{ name: "features", datatype: "FP32", shape: [-1, 4] }],
      outputs: [{ name: "variable", datatype: "FP32", shape: [-1, 1] }],
    };
    const model = await OnnxModel.load(models.model("regressor"), signature, RUNTIME, "regressor/1");
    expect(model.warmup).toEqual({ kind: "synthetic" });
    await model.release();
  });
});
