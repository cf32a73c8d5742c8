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

function largeModelIsValid(): boolean {
  const manifest = join(LARGE_REPOSITORY, "digits_large/1/manifest.json");
  if (!existsSync(LARGE_MODEL) || !existsSync(manifest)) return false;
  const want = (JSON.parse(readFileSync(manifest, "utf8")) as { sha256?: string }).sha256;
  return want === createHash("sha256").update(readFileSync(LARGE_MODEL)).digest("hex");
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
