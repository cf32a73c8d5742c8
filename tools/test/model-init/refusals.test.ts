import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../service/src/process/config.js";
import { type ConverterModels, makeConverterModels } from "../../../service/test/runtime/converter-models.js";
import { initModel } from "../../src/model-init/init.js";
import { infergate, modelInit } from "../support/cli.js";

/**
 * What `infergate model init` refuses: everything the server could not serve as it is (exit 1),
 * and bad use or unreadable files (exit 2), each in one line that says what to change, with
 * nothing left in the repository.
 */
let models: ConverterModels;
let dir: string;
let repo: string;

const init = (model: string, name: string, version: number, ...more: string[]) =>
  modelInit(repo, model, name, version, ...more);

/** The repository holds onehot versions 1 and 2, and nothing a refused init could have left. */
async function unchanged(): Promise<void> {
  expect(await readdir(repo)).toEqual(["onehot"]);
  expect(await readdir(join(repo, "onehot"))).toEqual(["1", "2"]);
}

beforeAll(async () => {
  models = await makeConverterModels();
  dir = await mkdtemp(join(tmpdir(), "infergate-model-init-refusals-"));
  repo = join(dir, "repository");
  const runtime = loadConfig({}).runtime;
  for (const version of [1, 2]) {
    await initModel({ model: models.model("onehot"), name: "onehot", version, repository: repo, runtime });
  }
});
afterAll(async () => {
  await models?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe("infergate model init", () => {
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
    await unchanged();
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
    await unchanged();
  });

  const usage: [string, string[], number, RegExp][] = [
    ["no model file", ["--name", "m", "--version", "1"], 2, /the model file is required/],
    ["a missing --name", ["m.onnx", "--version", "1"], 2, /--name is required/],
    [
      "a name the manifest refuses",
      ["m.onnx", "--name", "../up", "--version", "1"],
      2,
      /--name "\.\.\/up": /,
    ],
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
    await unchanged();
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
