import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_REPOSITORY, REPO_ROOT } from "../../service/test/support/paths.js";
import { checkSource } from "../../tools/src/publish/publish-source.js";

/**
 * `models/heavier.py` (the rehearsal's canary-regression and slow candidates): production's model
 * behind a tower of rotation pairs. The version folder it writes passes publish's local checks, the
 * accuracy gate finds exactly the base's metrics (same answers), and the manifest records how much
 * heavier it is; an existing folder is refused (versions are immutable).
 */
const run = promisify(execFile);
const BASE = `${BUNDLED_REPOSITORY}/digits/2`;

let python = "";
let out = "";

async function heavier(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(python, [join(REPO_ROOT, "models", "heavier.py"), ...args], {
      cwd: REPO_ROOT,
      timeout: 120_000,
    });
    return { code: 0, stderr: "" };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  const { stdout } = await run(
    "bash",
    [join(REPO_ROOT, "scripts", "venv.sh"), "models", join(REPO_ROOT, "models", "requirements.txt")],
    { cwd: REPO_ROOT, timeout: 540_000 },
  );
  python = join(stdout.trim(), "bin", "python");
  out = await mkdtemp(join(tmpdir(), "infergate-heavier-"));
}, 600_000);
afterAll(() => rm(out, { recursive: true, force: true }));

describe("models/heavier.py", () => {
  it("writes a version that publish accepts, with the base's answers and the tower's cost in its manifest", {
    timeout: 180_000,
  }, async () => {
    const made = await heavier([
      "--base",
      BASE,
      "--version",
      "7",
      "--out",
      out,
      "--rotations",
      "3",
      "--width",
      "256",
    ]);
    expect(made.code, made.stderr).toBe(0);
    const dir = join(out, "digits", "7");
    const source = await checkSource(dir);
    expect(source).toMatchObject({ model: "digits", version: 7 });
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
    const base = JSON.parse(await readFile(join(BASE, "manifest.json"), "utf8"));
    expect(manifest.metrics).toEqual(base.metrics);
    expect(manifest.training.tower).toEqual({
      width: 256,
      rotations: 3,
      seed: 2024,
      extra_multiply_adds_per_row: 2 * 256 * (64 + 3 * 256),
    });
    expect(manifest.training.derived_from).toEqual({ version: 2, sha256: base.sha256 });

    // The accuracy gate as the rehearsal runs it, allowing no drop at all: exit 0 or execFile throws.
    const gate = await run(
      process.execPath,
      [
        "bin/infergate.js",
        "gate",
        "accuracy",
        "--candidate",
        dir,
        "--baseline",
        BASE,
        "--data",
        `${BUNDLED_REPOSITORY}/digits/validation.jsonl`,
        "--max-drop",
        "0",
        "--max-f1-drop",
        "0",
      ],
      { cwd: REPO_ROOT, timeout: 120_000 },
    );
    expect(gate.stdout).toMatch(/drop vs baseline .*: accuracy 0\.000000, macro-F1 0\.000000/);

    const again = await heavier(["--base", BASE, "--version", "7", "--out", out, "--rotations", "3"]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists \(versions are immutable\)/);
  });
  it("--row-ms: as many pairs as one row's measured cost asks for, the measurement in the manifest", {
    timeout: 180_000,
  }, async () => {
    const made = await heavier([
      "--base",
      BASE,
      "--version",
      "8",
      "--out",
      out,
      "--row-ms",
      "6",
      "--width",
      "256",
    ]);
    expect(made.code, made.stderr).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, "digits", "8", "manifest.json"), "utf8"));
    const { rotations, calibrated, extra_multiply_adds_per_row } = manifest.training.tower;
    expect(calibrated.row_ms).toBe(6);
    // The count follows from what was measured (to the rounding the manifest keeps)...
    const expected = (6 - calibrated.measured_base_row_ms) / calibrated.measured_ms_per_pair;
    expect(Math.abs(rotations - expected)).toBeLessThan(Math.max(2, expected * 0.01));
    expect(extra_multiply_adds_per_row).toBe(2 * 256 * (64 + rotations * 256));
    // ...and the tower it made costs about what was asked, measured the same way afterwards
    // (the fastest of 15 one-row runs; loose bounds: other processes share the machine).
    expect(calibrated.measured_row_ms).toBeGreaterThan(6 * 0.5);
    expect(calibrated.measured_row_ms).toBeLessThan(6 * 2.5);

    const both = await heavier([
      "--base",
      BASE,
      "--version",
      "9",
      "--out",
      out,
      "--row-ms",
      "6",
      "--rotations",
      "3",
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/not allowed with argument/);
  });
});
