import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelLoader } from "../../src/core/model-loader.js";
import { ModelRegistry } from "../../src/core/model-registry.js";
import { Metrics } from "../../src/metrics/service-metrics.js";
import { loadConfig } from "../../src/process/config.js";
import { sha256File } from "../../src/repository/cache.js";
import { FileSource } from "../../src/repository/file-source.js";
import { type ConverterModels, makeConverterModels } from "../runtime/converter-models.js";

/**
 * The loader and warm-up: a converter-made one-hot pipeline whose synthetic warm-up fails becomes
 * ready with one warning; warm-up samples in its manifest are used instead when present, must fit
 * the signature, and fail the load when the model refuses them.
 */
let models: ConverterModels;
let root: string;
let sha256: string;

const sample = (colors: string[]) => ({
  inputs: [
    { name: "color", datatype: "BYTES", shape: [colors.length, 1], data: colors },
    { name: "num", datatype: "FP32", shape: [colors.length, 2], data: colors.flatMap(() => [0.5, -1]) },
  ],
});

/** Writes onehot version `version` with these extra manifest fields; returns a loader over the repo and its logs. */
async function onehotVersion(version: number, extra: Record<string, unknown> = {}) {
  const folder = join(root, "onehot", String(version));
  await mkdir(folder, { recursive: true });
  await copyFile(models.model("onehot"), join(folder, "model.onnx"));
  const manifest = {
    schema_version: 1,
    name: "onehot",
    version,
    platform: "onnxruntime_onnx",
    sha256,
    inputs: [
      { name: "color", datatype: "BYTES", shape: [-1, 1] },
      { name: "num", datatype: "FP32", shape: [-1, 2] },
    ],
    outputs: [
      { name: "label", datatype: "INT64", shape: [-1] },
      { name: "probabilities", datatype: "FP32", shape: [-1, 3] },
    ],
    labels: ["none", "one", "two"],
    created_at: "2026-01-01T00:00:00Z",
    ...extra,
  };
  await writeFile(join(folder, "manifest.json"), JSON.stringify(manifest));
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    },
  });
  const registry = new ModelRegistry("test-routing-secret");
  const config = loadConfig({ INFERGATE_MODEL_REPOSITORY: root });
  const loader = new ModelLoader({
    source: new FileSource(root),
    registry,
    metrics: new Metrics(),
    logger: pino({ level: "info" }, stream),
    config,
  });
  const ready = await loader.loadAndRegister("onehot", version);
  const state = registry.versions("onehot").get(version);
  if (state?.state === "ready") await state.served.release();
  return { ready, state, logs };
}

beforeAll(async () => {
  models = await makeConverterModels();
  root = await mkdtemp(join(tmpdir(), "infergate-warmup-repo-"));
  sha256 = await sha256File(models.model("onehot"));
});
afterAll(async () => {
  await models?.cleanup();
  await rm(root, { recursive: true, force: true });
});

describe("loading a version: warm-up", () => {
  it("makes a model whose synthetic warm-up fails ready, with one warning naming why", async () => {
    const { ready, state, logs } = await onehotVersion(1);
    expect(ready).toBe(true);
    expect(state?.state).toBe("ready");
    const warnings = logs.filter((l) => l.level === 40);
    expect(warnings).toEqual([
      expect.objectContaining({
        model: "onehot",
        version: 1,
        err: expect.stringContaining("Unknown Category"),
        msg: "synthetic warm-up failed; serving anyway (add real rows as the manifest's warmup samples)",
      }),
    ]);
    expect(logs.find((l) => l.msg === "model version ready")).toMatchObject({ model: "onehot", version: 1 });
  });

  it("warms with the manifest's samples when present: no synthetic run, no warning", async () => {
    const { ready, logs } = await onehotVersion(2, { warmup: [sample(["red"]), sample(["blue", "green"])] });
    expect(ready).toBe(true);
    expect(logs.filter((l) => (l.level as number) >= 40)).toEqual([]);
  });

  it("fails the load (reason warmup) when the model refuses a sample", async () => {
    const { ready, state, logs } = await onehotVersion(3, { warmup: [sample(["red"]), sample(["purple"])] });
    expect(ready).toBe(false);
    expect(state).toMatchObject({
      state: "failed",
      error: expect.stringMatching(/warm-up sample 2 of 2 failed/),
    });
    expect(logs.find((l) => l.level === 50)).toMatchObject({ reason: "warmup" });
  });

  it("fails the load (reason manifest) when a sample does not fit the declared inputs", async () => {
    const wrongShape = sample(["red"]);
    wrongShape.inputs[1] = { name: "num", datatype: "FP32", shape: [1, 3], data: [1, 2, 3] };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ warmup: [wrongShape] }, /warmup sample 1: input "num" has shape \[1,3\], the model takes \[-1,2\]/],
      [
        { warmup: [{ inputs: [sample(["red"]).inputs[0]] }] },
        /warmup sample 1: has inputs \[color\], the model takes \[color, num\]/,
      ],
      [
        { warmup: [{ inputs: [sample(["red"]).inputs[0], { ...sample(["red"]).inputs[1], data: [1] }] }] },
        /warmup sample 1: .*needs 2 elements, data has 1/,
      ],
    ];
    for (const [i, [extra, message]] of cases.entries()) {
      const { ready, state, logs } = await onehotVersion(10 + i, extra);
      expect(ready).toBe(false);
      expect(state).toMatchObject({ state: "failed", error: expect.stringMatching(message) });
      expect(logs.find((l) => l.level === 50)).toMatchObject({ reason: "manifest" });
    }
  });
});
