import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** Where models/train.py --large puts the benchmark model (git-ignored). */
export const LARGE_REPOSITORY = resolve(".cache/models");
export const LARGE_MODEL = join(LARGE_REPOSITORY, "digits_large/1/model.onnx");

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** Creates (once) a pinned Python venv with scripts/venv.sh and returns its python. */
export function venvPython(name: string, requirements: string): string {
  const venv = execFileSync("bash", ["scripts/venv.sh", name, requirements], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  return join(venv, "bin/python");
}

/** The synthetic models of issue #25's rows (bench/models/make_models.py), beside digits_large. */
export const BENCH_MODELS = ["small_conv", "big_mlp"] as const;
export type BenchModel = (typeof BENCH_MODELS)[number];
export const benchModelDir = (name: BenchModel) => join(LARGE_REPOSITORY, name, "1");

/** A version folder whose model.onnx has the digest its manifest names. */
function modelIsValid(dir: string): boolean {
  const manifest = join(dir, "manifest.json");
  const model = join(dir, "model.onnx");
  if (!existsSync(model) || !existsSync(manifest)) return false;
  const want = (JSON.parse(readFileSync(manifest, "utf8")) as { sha256?: string }).sha256;
  return want === createHash("sha256").update(readFileSync(model)).digest("hex");
}

function largeModelIsValid(): boolean {
  return modelIsValid(join(LARGE_REPOSITORY, "digits_large/1"));
}

/**
 * The large benchmark model (MLP 64→2048→2048→10) is made by the models script, never committed:
 * build it on first use. train.py always rebuilds digits v1–v3 too; those go to a scratch folder
 * here, so the committed artifacts are never touched.
 */
export function ensureLargeModel(): void {
  if (largeModelIsValid()) return;
  log("building the large model (models/train.py --large, about 35 s, first run only)");
  const python = venvPython("models", "models/requirements.txt");
  const scratch = mkdtempSync(join(tmpdir(), "infergate-bench-train-"));
  try {
    execFileSync(
      python,
      [
        "models/train.py",
        "--large",
        "--large-out",
        LARGE_REPOSITORY,
        "--out",
        join(scratch, "repository"),
        "--degraded-out",
        join(scratch, "degraded"),
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (!largeModelIsValid()) throw new Error(`models/train.py --large did not produce ${LARGE_MODEL}`);
}

/**
 * The large-tensor conv model and the ~100 MB cold-start MLP (bench/models/make_models.py: numpy
 * random weights under fixed seeds, written byte for byte the same on every run), built on first
 * use into the same git-ignored repository as digits_large.
 */
export function ensureBenchModels(): void {
  if (BENCH_MODELS.every((m) => modelIsValid(benchModelDir(m)))) return;
  log("building the bench's synthetic models (bench/models/make_models.py, a few seconds, first run only)");
  const python = venvPython("models", "models/requirements.txt");
  execFileSync(python, ["bench/models/make_models.py", "--out", LARGE_REPOSITORY], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (const m of BENCH_MODELS)
    if (!modelIsValid(benchModelDir(m))) throw new Error(`bench/models/make_models.py did not produce ${m}`);
}
