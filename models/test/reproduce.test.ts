import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { arch, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BUNDLED_REPOSITORY,
  DEGRADED_REPOSITORY,
  FIXTURES,
  REPO_ROOT,
} from "../../service/test/support/paths.js";

/**
 * The committed model artifacts are what models/train.py and models/fixtures.py produce, on any
 * CPU: models/compare.py checks trained models by graph, predictions and manifest (their bytes
 * follow the CPU's BLAS kernels) and everything else byte for byte. Trains in the pinned venv.
 */
const run = promisify(execFile);
const ROWS = ["validation", "test"].flatMap((s) => ["--rows", `${BUNDLED_REPOSITORY}/digits/${s}.jsonl`]);
const TIMEOUT_MS = 180_000;
/** A BLAS kernel other than the one the machine picks: SSE3-only on x86-64, the generic one on arm64. */
const OTHER_KERNEL = arch() === "arm64" ? "ARMV8" : "Prescott";

type Result = { code: number; stdout: string; stderr: string };

let python = "";
let work = "";

async function python3(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  const full: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...env };
  delete full.SOURCE_DATE_EPOCH; // the committed manifests carry the fixed created_at
  try {
    const r = await run(python, args, { cwd: REPO_ROOT, env: full, timeout: TIMEOUT_MS });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** Trains every committed model into `<work>/<name>/{repository,degraded}`. */
async function trainInto(name: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const out = join(work, name);
  const r = await python3(
    ["models/train.py", "--out", `${out}/repository`, "--degraded-out", `${out}/degraded`, ...args],
    env,
  );
  expect(r.code, r.stderr).toBe(0);
  return out;
}

const compare = (committed: string, fresh: string) =>
  python3(["models/compare.py", committed, fresh, ...ROWS]);

beforeAll(async () => {
  const { stdout } = await run("bash", ["scripts/venv.sh", "models", "models/requirements.txt"], {
    cwd: REPO_ROOT,
    timeout: 540_000,
  });
  python = join(stdout.trim(), "bin", "python");
  work = await mkdtemp(join(tmpdir(), "infergate-reproduce-"));
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("committed model artifacts reproduce (models/compare.py)", () => {
  let fresh = "";
  beforeAll(async () => {
    fresh = await trainInto("default");
  }, TIMEOUT_MS);

  it("the bundled repository: digits v1 and v2 by graph, predictions and manifest; the data byte for byte", async () => {
    const r = await compare(BUNDLED_REPOSITORY, `${fresh}/repository`);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain("ok   digits/2/model.onnx (same graph and predictions)");
    expect(r.stdout).toContain("ok   digits/validation.jsonl (byte-identical)");
    expect(r.stdout).toMatch(/models reproduce: 6 passed, 0 failed/);
  });

  it("the degraded fixture (digits v3)", async () => {
    const r = await compare(DEGRADED_REPOSITORY, `${fresh}/degraded`);
    expect(r.stdout).toMatch(/models reproduce: 2 passed, 0 failed/);
    expect(r.code).toBe(0);
  });

  it("the hand-made FP16 fixture, byte for byte", async () => {
    const out = join(work, "fp16");
    const made = await python3(["models/fixtures.py", "--out", out]);
    expect(made.code, made.stderr).toBe(0);
    const r = await compare(`${FIXTURES}models/fp16`, out);
    expect(r.stdout).toContain("ok   halves/1/model.onnx (byte-identical)");
    expect(r.stdout).toMatch(/models reproduce: 2 passed, 0 failed/);
  });

  it("a stale or a missing file fails, naming it", async () => {
    const copy = join(work, "stale");
    await cp(`${fresh}/repository`, copy, { recursive: true });
    await rm(`${copy}/digits/test.jsonl`);
    const r = await compare(BUNDLED_REPOSITORY, copy);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL digits/test.jsonl: is committed but no longer generated");
  });
});

describe("the check holds on another CPU and catches a changed recipe", () => {
  it(`training with another BLAS kernel (OPENBLAS_CORETYPE=${OTHER_KERNEL}) still matches`, async () => {
    const other = await trainInto("other-kernel", [], { OPENBLAS_CORETYPE: OTHER_KERNEL });
    if (arch() === "x64") {
      // The kernel changes the trained bytes (measured), so only a behavioural check can pass here.
      const [a, b] = await Promise.all(
        [BUNDLED_REPOSITORY, `${other}/repository`].map((root) => readFile(`${root}/digits/2/model.onnx`)),
      );
      expect(Buffer.compare(a as Buffer, b as Buffer)).not.toBe(0);
    }
    const r = await compare(BUNDLED_REPOSITORY, `${other}/repository`);
    expect(r.stdout).toMatch(/models reproduce: 6 passed, 0 failed/);
  });

  it("another training seed (a changed recipe) fails on predictions and manifest", async () => {
    const changed = await trainInto("seed-99", ["--seed", "99"]);
    const r = await compare(BUNDLED_REPOSITORY, `${changed}/repository`);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL digits\/2\/model\.onnx: output \d: (\d+ of 720 rows answer differently|values differ)/,
    );
    expect(r.stdout).toContain("FAIL digits/2/manifest.json: manifest differs in metrics, training");
  });
});
