import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256File } from "../../../service/src/repository/cache.js";
import { parseManifest } from "../../../service/src/repository/manifest.js";
import { type ConverterModels, makeConverterModels } from "../../../service/test/runtime/converter-models.js";
import { checkSource } from "../../src/publish/publish-source.js";
import { modelInit } from "../support/cli.js";

/**
 * `infergate model init` as a user runs it on converter-made models: the manifest says what ONNX
 * Runtime reports, the folder is one publish accepts, and everything the server could not serve
 * is refused in one line that says what to change, leaving nothing behind.
 */
let models: ConverterModels;
let dir: string;
let repo: string;

const init = (model: string, name: string, version: number, ...more: string[]) =>
  modelInit(repo, model, name, version, ...more);

async function manifestOf(name: string, version: number) {
  const folder = join(repo, name, String(version));
  return parseManifest(await readFile(join(folder, "manifest.json"), "utf8"), folder);
}

beforeAll(async () => {
  models = await makeConverterModels();
  dir = await mkdtemp(join(tmpdir(), "infergate-model-init-"));
  repo = join(dir, "repository");
});
afterAll(async () => {
  await models?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe("infergate model init", () => {
  it("writes the manifest from the graph: a one-hot pipeline with a string input, labels and task", async () => {
    const r = await init(models.model("onehot"), "onehot", 1, "--labels", models.labelsFile);
    expect(r.code, r.stderr).toBe(0);
    const folder = join(repo, "onehot", "1");
    expect(r.stdout).toContain(`created ${folder}: model.onnx (sha256 `);
    expect(r.stdout).toContain("inputs:  color BYTES [-1, 1], num FP32 [-1, 2]");
    expect(r.stdout).toContain(`serve it: infergate serve ${repo}`);
    // Zeros are not a category the encoder knows: the warm-up warning, not a refusal.
    expect(r.stderr).toMatch(/^warning: the synthetic warm-up failed \(.*Unknown Category.*--warmup-samples/);
    const manifest = await manifestOf("onehot", 1);
    expect(manifest).toMatchObject({
      schema_version: 1,
      name: "onehot",
      version: 1,
      platform: "onnxruntime_onnx",
      task: "classification",
      sha256: await sha256File(models.model("onehot")),
      inputs: [
        { name: "color", datatype: "BYTES", shape: [-1, 1] },
        { name: "num", datatype: "FP32", shape: [-1, 2] },
      ],
      outputs: [
        { name: "label", datatype: "INT64", shape: [-1] },
        { name: "probabilities", datatype: "FP32", shape: [-1, 3] },
      ],
      labels: ["none", "one", "two"],
    });
    expect(Date.now() - Date.parse(manifest.created_at)).toBeLessThan(120_000);
    expect(await readdir(join(repo, "onehot"))).toEqual(["1"]); // no staging folder left
    const checked = await checkSource(folder);
    expect(checked).toMatchObject({ model: "onehot", version: 1 });
  });

  it("keeps fixed dims and marks every dynamic one -1: [batch, seq] INT64, no batch dim, a regressor", async () => {
    const results = await Promise.all([
      init(models.model("sequence"), "sequence", 1),
      init(models.model("nobatch"), "nobatch", 1),
      init(models.model("regressor"), "regressor", 1, "--task", "regression"),
    ]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(await manifestOf("sequence", 1)).toMatchObject({
      inputs: [{ name: "ids", datatype: "INT64", shape: [-1, -1] }],
      outputs: [{ name: "logits", datatype: "FP32", shape: [-1, 3] }],
    });
    expect(await manifestOf("nobatch", 1)).toMatchObject({
      inputs: [{ name: "x", datatype: "FP32", shape: [4, 3] }],
      outputs: [{ name: "y", datatype: "FP32", shape: [4, 2] }],
    });
    const regressor = await manifestOf("regressor", 1);
    expect(regressor).toMatchObject({ task: "regression", outputs: [{ name: "variable", shape: [-1, 1] }] });
    expect(regressor.labels).toBeUndefined();
  });

  it("puts warm-up samples (real rows, V2 requests) into the manifest after running them", async () => {
    const samples = join(dir, "samples.json");
    const requests = models.cases.onehot.slice(0, 2).map((c) => ({ id: "x", inputs: c.inputs }));
    await writeFile(samples, JSON.stringify(requests));
    const r = await init(
      models.model("onehot"),
      "onehot",
      2,
      "--labels",
      models.labelsFile,
      "--warmup-samples",
      samples,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("warm-up: 2 sample request(s)");
    expect(r.stderr).toBe("");
    expect((await manifestOf("onehot", 2)).warmup).toEqual(requests.map((q) => ({ inputs: q.inputs })));
  });
});
