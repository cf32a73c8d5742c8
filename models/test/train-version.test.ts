import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../service/src/process/config.js";
import { checkManifestLocation, parseManifest } from "../../service/src/repository/manifest.js";
import { BUNDLED_REPOSITORY, REPO_ROOT } from "../../service/test/support/paths.js";
import { readDataset } from "../../tools/src/accuracy-gate/dataset.js";
import { evaluate } from "../../tools/src/accuracy-gate/evaluator.js";
import { loadForEvaluation } from "../../tools/src/accuracy-gate/load.js";
import { manifestMetrics } from "../../tools/src/accuracy-gate/metrics.js";
import { parseVersionUri } from "../../tools/src/accuracy-gate/model-uri.js";
import { checkSource } from "../../tools/src/publish/publish-source.js";

/**
 * `models/train.py --version N` (what model.yml's source=train runs): only the production recipe,
 * as the new version N, in a folder that publish's local checks accept and the server's loader
 * serves with the metrics its manifest records; shipped versions and existing folders are refused
 * before anything is trained or written. Runs train.py in the pinned models venv (one training).
 */
const run = promisify(execFile);
const VALIDATION = `${BUNDLED_REPOSITORY}/digits/validation.jsonl`;
const TRAIN_TIMEOUT_MS = 120_000;

type Result = { code: number; stdout: string; stderr: string };

let python = "";
let out = "";
let trained: Result;

/** Runs train.py in the models venv as reproduce.test.ts does; resolves with its exit code and output. */
async function train(args: string[]): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: "1" };
  delete env.SOURCE_DATE_EPOCH;
  try {
    const r = await run(python, [join(REPO_ROOT, "models", "train.py"), ...args], {
      cwd: REPO_ROOT,
      env,
      timeout: TRAIN_TIMEOUT_MS,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

async function onnxMetadata(path: string): Promise<{ model_version: number; doc_string: string }> {
  const { stdout } = await run(
    python,
    [
      "-c",
      "import json, sys, onnx; m = onnx.load(sys.argv[1]); " +
        "print(json.dumps({'model_version': m.model_version, 'doc_string': m.doc_string}))",
      path,
    ],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout);
}

beforeAll(async () => {
  // The pinned venv (cached; built once, which takes a while on a fresh machine).
  const { stdout } = await run(
    "bash",
    [join(REPO_ROOT, "scripts", "venv.sh"), "models", join(REPO_ROOT, "models", "requirements.txt")],
    { cwd: REPO_ROOT, timeout: 540_000 },
  );
  python = join(stdout.trim(), "bin", "python");
  out = await mkdtemp(join(tmpdir(), "infergate-train-version-"));
  trained = await train(["--version", "7", "--out", out]);
}, 600_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe("models/train.py --version 7 --out <tmp>", () => {
  it("writes exactly digits/7/model.onnx and manifest.json, both saying version 7", async () => {
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(/^digits v7 +MLPClassifier /m);
    expect(await files(out)).toEqual(["digits/7/manifest.json", "digits/7/model.onnx"]);

    const where = join(out, "digits", "7", "manifest.json");
    const manifest = parseManifest(await readFile(where, "utf8"), where);
    checkManifestLocation(manifest, "digits", 7, where);
    expect(manifest).toMatchObject({ name: "digits", version: 7 });
    expect(await onnxMetadata(join(out, "digits", "7", "model.onnx"))).toEqual({
      model_version: 7,
      doc_string: "infergate digits v7: MLPClassifier, scaling x/16 inside the graph",
    });
  });

  it("trains the production recipe (the newest shipped version's algorithm, parameters, data) with a seed of its own", async () => {
    const read = async (dir: string) => {
      const where = join(dir, "manifest.json");
      return parseManifest(await readFile(where, "utf8"), where);
    };
    // The newest committed version folder (digits/2 today).
    const newest = Math.max(
      ...(await readdir(join(BUNDLED_REPOSITORY, "digits")))
        .filter((n) => /^[1-9][0-9]*$/.test(n))
        .map(Number),
    );
    type Training = Record<string, unknown>;
    const ours = (await read(join(out, "digits", "7"))).training as Training;
    const production = (await read(join(BUNDLED_REPOSITORY, "digits", String(newest)))).training as Training;
    for (const key of ["algorithm", "dataset"]) expect(ours[key]).toEqual(production[key]);
    // Same hyper-parameters; only the estimator's random_state is the version's own seed (1234 + 7).
    const { random_state: ourState, ...ourParams } = ours.params as Record<string, unknown>;
    const { random_state: shippedState, ...shippedParams } = production.params as Record<string, unknown>;
    expect(ourParams).toEqual(shippedParams);
    expect([ours.seed, ourState, production.seed, shippedState]).toEqual([1241, 1241, 1234, 1234]);
  });

  it("is a model of its own: its probabilities differ from the shipped version's on the same rows", async () => {
    const data = await readDataset(VALIDATION);
    const probabilities = async (dir: string) => {
      const loaded = await loadForEvaluation(parseVersionUri(dir), loadConfig({}));
      try {
        return (await evaluate(loaded.served, data, { batchSize: 256, keepProbabilities: true }))
          .probabilities as Float64Array;
      } finally {
        await loaded.close();
      }
    };
    const ours = await probabilities(join(out, "digits", "7"));
    const shipped = await probabilities(join(BUNDLED_REPOSITORY, "digits", "2"));
    const maxDiff = ours.reduce((m, p, i) => Math.max(m, Math.abs(p - (shipped[i] as number))), 0);
    expect(maxDiff).toBeGreaterThan(1e-3);
  });

  it("passes publish's local checks (folder digits/7, sha256 of model.onnx)", async () => {
    const checked = await checkSource(join(out, "digits", "7"));
    expect(checked).toMatchObject({ model: "digits", version: 7 });
  });

  it("loads through the server's loader and reproduces the manifest's validation metrics", async () => {
    const ref = parseVersionUri(join(out, "digits", "7"));
    const loaded = await loadForEvaluation(ref, loadConfig({}));
    try {
      expect(loaded.served.manifest.version).toBe(7);
      const recorded = loaded.served.manifest.metrics as Record<string, unknown>;
      const data = await readDataset(VALIDATION);
      const result = await evaluate(loaded.served, data, { batchSize: 256 });
      expect(manifestMetrics(result.metrics, result.labels, 6)).toEqual({
        rows: recorded.rows,
        accuracy: recorded.accuracy,
        macro_f1: recorded.macro_f1,
        per_class_recall: recorded.per_class_recall,
      });
      expect(recorded.accuracy as number).toBeGreaterThanOrEqual(0.9);
    } finally {
      await loaded.close();
    }
  });
});

/** train.parse_args (where every refusal happens) on each argv in one Python process: exit code, stderr. */
async function parseArgs(argvs: string[][]): Promise<{ code: number; stderr: string }[]> {
  const script = [
    "import contextlib, io, json, sys",
    "sys.path.insert(0, sys.argv[1])",
    "import train",
    "results = []",
    "for argv in json.loads(sys.argv[2]):",
    "    err = io.StringIO()",
    "    try:",
    "        with contextlib.redirect_stderr(err):",
    "            train.parse_args(argv)",
    "        code = 0",
    "    except SystemExit as e:",
    "        code = e.code",
    "    results.append({'code': code, 'stderr': err.getvalue()})",
    "print(json.dumps(results))",
  ].join("\n");
  const { stdout } = await run(python, ["-c", script, join(REPO_ROOT, "models"), JSON.stringify(argvs)], {
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    timeout: 60_000,
  });
  return JSON.parse(stdout);
}

describe("models/train.py --version refusals (exit 2, before anything is trained or written)", () => {
  it("refuses a shipped version into the shipped repository, leaving it untouched", async () => {
    const shipped = join(BUNDLED_REPOSITORY, "digits", "2");
    const read = () => Promise.all(["manifest.json", "model.onnx"].map((f) => readFile(join(shipped, f))));
    const before = await read();
    const r = await train(["--version", "2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("digits v2 is a shipped version");
    expect(await read()).toEqual(before);
  }, 60_000);

  it("refuses shipped versions into any --out, existing folders, malformed numbers and --large", async () => {
    const empty = await mkdtemp(join(tmpdir(), "infergate-train-version-"));
    try {
      const cases: [string[], string][] = [
        [["--version", "1", "--out", empty], "digits v1 is a shipped version"],
        [["--version", "2", "--out", empty], "digits v2 is a shipped version"],
        [["--version", "7", "--out", out], "already exists (versions are immutable)"],
        [["--version", "0", "--out", empty], "'0' is not a positive integer version"],
        [["--version", "07", "--out", empty], "'07' is not a positive integer version"],
        [["--version", "8", "--large", "--out", empty], "not allowed with argument --version"],
      ];
      // The same parser accepts a new version and the default run.
      const accepted = [["--version", "8", "--out", empty], []];
      const results = await parseArgs([...cases.map(([argv]) => argv), ...accepted]);
      cases.forEach(([argv, message], i) => {
        expect(results[i]?.code, argv.join(" ")).toBe(2);
        expect(results[i]?.stderr, argv.join(" ")).toContain(message);
      });
      expect(results.slice(cases.length)).toEqual(accepted.map(() => ({ code: 0, stderr: "" })));
      // Nothing was written.
      expect(await files(empty)).toEqual([]);
      expect(await files(out)).toEqual(["digits/7/manifest.json", "digits/7/model.onnx"]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  }, 60_000);
});
