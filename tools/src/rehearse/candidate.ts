/**
 * The candidate version folder: given (--candidate), or made for the scenario: trained by the
 * production recipe as the next version (models/train.py --version N, what model.yml's
 * `source: train` runs), the committed degraded fixture, or production's model made heavier
 * (models/heavier.py). Python runs only here, in the pinned models venv.
 */
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../cli/args.js";
import { pinnedVenv } from "./checkout.js";
import { RehearsalError } from "./errors.js";
import type { Scenario } from "./scenarios.js";
import type { Supervisor } from "./supervisor.js";
import { LOAD_STAGE } from "./workflow-commands.js";

export type Candidate = { dir: string; model: string; version: number; description: string };

type ModelVersion = { model: string; version: number };

/** What makes the candidate: the checkout, scratch space, the scenario, a --candidate folder, production. */
type CandidateOptions = {
  root: string;
  scratch: string;
  scenario: Scenario;
  given: string | undefined;
  production: ModelVersion;
};

/**
 * The candidate as model.yml's candidate job leaves it for the gates and publish: the two files
 * copied to candidate/<model>/<version>/ (publish reads the model and version from that path).
 */
export async function prepareCandidate(supervisor: Supervisor, o: CandidateOptions): Promise<Candidate> {
  const made = await makeCandidate(supervisor, o);
  const dir = join(o.scratch, "candidate", made.model, String(made.version));
  await mkdir(dir, { recursive: true });
  for (const file of ["manifest.json", "model.onnx"]) await copyFile(join(made.dir, file), join(dir, file));
  return { ...made, dir };
}

async function makeCandidate(supervisor: Supervisor, o: CandidateOptions): Promise<Candidate> {
  const next = o.production.version + 1;
  const out = join(o.scratch, "candidates");
  if (o.given !== undefined) return checkCandidateFolder(o.given, o.production, "given with --candidate");
  const recipe = o.scenario.candidate;
  if (recipe.kind === "fixture")
    return checkCandidateFolder(join(o.root, recipe.path), o.production, `the fixture ${recipe.path}`);
  const venv = await pinnedVenv(supervisor, o.root, "models", "models/requirements.txt");
  const python = join(venv, "bin", "python");
  const args =
    recipe.kind === "trained"
      ? ["models/train.py", "--version", String(next), "--out", out]
      : [
          "models/heavier.py",
          "--base",
          join(o.root, "models", "repository", o.production.model, String(o.production.version)),
          "--version",
          String(next),
          "--out",
          out,
          ...("rotations" in recipe
            ? ["--rotations", String(recipe.rotations)]
            : ["--row-ms", String(recipe.timesLoadP95 * loadP95Ms(o.root))]),
        ];
  const r = await supervisor.run(recipe.kind === "trained" ? "train" : "heavier", python, args, {
    cwd: o.root,
  });
  if (r.code !== 0) throw new RehearsalError(`${args[0]} exited ${r.code ?? r.signal}; see ${r.log}`);
  const description =
    recipe.kind === "trained"
      ? `the production recipe trained as v${next} (models/train.py --version ${next})`
      : heavierDescription(o.production.version, join(out, o.production.model, String(next)), args.slice(-2));
  return checkCandidateFolder(join(out, o.production.model, String(next)), o.production, description);
}

/** The load gate's p95 budget in ms: the `load` stage's in loadtest/stages.json, as k6 applies it. */
function loadP95Ms(root: string): number {
  const stages = JSON.parse(readFileSync(join(root, "loadtest", "stages.json"), "utf8"));
  const p95 = stages?.[LOAD_STAGE]?.p95_ms;
  if (typeof p95 !== "number") throw new RehearsalError(`loadtest/stages.json: no ${LOAD_STAGE}.p95_ms`);
  return p95;
}

/** What the heavier candidate is, from its manifest's record of the tower (and its calibration). */
function heavierDescription(base: number, dir: string, flag: string[]): string {
  const tower = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"))?.training?.tower;
  const measured = tower?.calibrated ? `, one row ${tower.calibrated.measured_row_ms} ms here` : "";
  return `v${base} behind ${tower?.rotations} rotation pairs${measured} (models/heavier.py ${flag.join(" ")})`;
}

/** A version folder of the production model with a newer version number than production's. */
export function checkCandidateFolder(dir: string, production: ModelVersion, description: string): Candidate {
  const manifestPath = join(dir, "manifest.json");
  if (!existsSync(manifestPath) || !existsSync(join(dir, "model.onnx")))
    throw new UsageError(`candidate ${dir}: not a version folder (manifest.json and model.onnx)`);
  let manifest: { name?: unknown; version?: unknown };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch (err) {
    throw new UsageError(`${manifestPath}: not JSON (${(err as Error).message})`);
  }
  if (
    manifest.name !== production.model ||
    typeof manifest.version !== "number" ||
    manifest.version <= production.version
  ) {
    throw new UsageError(
      `candidate ${dir}: its manifest says ${String(manifest.name)}/${String(manifest.version)}; production serves ${production.model}/${production.version}, so the candidate must be ${production.model} version ${production.version + 1} or more`,
    );
  }
  return { dir, model: production.model, version: manifest.version, description };
}
