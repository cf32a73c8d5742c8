import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256File } from "../../../service/src/repository/cache.js";
import { parseManifest } from "../../../service/src/repository/manifest.js";
import { type ConverterModels, makeConverterModels } from "../../../service/test/runtime/converter-models.js";
import { checkSource } from "../../src/publish/publish-source.js";
import { infergate } from "../cli/infergate.js";

/**
 * `infergate model init` as a user runs it on converter-made models: the manifest says what ONNX
 * Runtime reports, the folder is one publish accepts, and everything the server could not serve
 * is refused in one line that says what to change, leaving nothing behind.
 */
let models: ConverterModels;
let dir: string;
let repo: string;

const init = (model: string, name: string, version: number, ...more: string[]) =>
  infergate([
    "model",
    "init",
    model,
    "--name",
    name,
    "--version",
    String(version),
    "--repository",
    repo,
    ...more,
  ]);

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

  const refusals: [string, () => string[], RegExp][] = [
    [
      "a seq(map) output, naming skl2onnx's zipmap option",
      () => [models.model("zipmap"), "--name", "zipmap", "--version", "1"],
      /: output "output_probability" is a sequence or map, not a tensor, .*\{'zipmap': False\}/,
    ],
    [
      "a file that is not ONNX",
      () => [models.labelsFile, "--name", "labels", "--version", "1"],
      /onehot-labels\.txt is not an ONNX model ONNX Runtime can load \(.*\); pass the \.onnx file/,
    ],
    [
      "an existing version, naming the next free one",
      () => [models.model("onehot"), "--name", "onehot", "--version", "1"],
      /onehot\/1 already exists and versions are immutable: pass a new --version \(the next free one is 3\)/,
    ],
    [
      "labels no output matches",
      () => [
        models.model("regressor"),
        "--name",
        "labelled",
        "--version",
        "1",
        "--labels",
        models.labelsFile,
      ],
      /has 3 labels, but no output is a \[batch, 3\] FP32\/FP64 tensor of class scores \(outputs: variable FP32 \[-1,1\]\)/,
    ],
  ];
  it.each(refusals)("refuses %s (exit 1, one line, nothing written)", async (_, args, message) => {
    const r = await infergate(["model", "init", ...args(), "--repository", repo]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^infergate model init: error: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stdout).toBe("");
    expect((await readdir(repo)).sort()).toEqual(["nobatch", "onehot", "regressor", "sequence"]);
    expect(await readdir(join(repo, "onehot"))).toEqual(["1", "2"]);
  });

  it("refuses samples the model refuses or that do not fit its inputs", async () => {
    const samples = join(dir, "bad-samples.json");
    const unknown = {
      inputs: [{ ...models.cases.onehot[0]?.inputs[0], data: ["purple"] }, models.cases.onehot[0]?.inputs[1]],
    };
    await writeFile(samples, JSON.stringify(unknown));
    const refused = await init(models.model("onehot"), "onehot", 3, "--warmup-samples", samples);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/warm-up sample 1 of 1 failed: .*Unknown Category/);
    await writeFile(samples, JSON.stringify({ inputs: [models.cases.onehot[0]?.inputs[0]] }));
    const misfit = await init(models.model("onehot"), "onehot", 3, "--warmup-samples", samples);
    expect(misfit.code).toBe(1);
    expect(misfit.stderr).toMatch(/warmup sample 1: has inputs \[color\], the model takes \[color, num\]/);
    expect(await readdir(join(repo, "onehot"))).toEqual(["1", "2"]);
  });

  const usage: [string, string[], number, RegExp][] = [
    ["no model file", ["--name", "m", "--version", "1"], 2, /the model file is required/],
    ["a missing --name", ["m.onnx", "--version", "1"], 2, /--name is required/],
    [
      "a version that is not a positive integer",
      ["m.onnx", "--name", "m", "--version", "0"],
      2,
      /--version must be/,
    ],
    [
      "an unknown task",
      ["m.onnx", "--name", "m", "--version", "1", "--task", "ranking"],
      2,
      /--task must be one of classification, regression/,
    ],
    [
      "classification without labels",
      ["m.onnx", "--name", "m", "--version", "1", "--task", "classification"],
      2,
      /needs --labels/,
    ],
    [
      "a missing model file",
      ["no/such.onnx", "--name", "m", "--version", "1"],
      2,
      /cannot read the model no\/such\.onnx/,
    ],
    [
      "a missing labels file",
      ["m.onnx", "--name", "m", "--version", "1", "--labels", "no/labels.txt"],
      2,
      /cannot read the labels file/,
    ],
  ];
  it.each(usage)("exits 2 on %s, in one line", async (_, args, code, message) => {
    const r = await infergate(["model", "init", ...args, "--repository", repo]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("takes only a local folder as the repository", async () => {
    const r = await infergate([
      "model",
      "init",
      models.model("onehot"),
      "--name",
      "m",
      "--version",
      "1",
      "--repository",
      "s3://b/models",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--repository must be a local folder (got s3://b/models); `infergate publish` uploads to S3",
    );
  });
});
