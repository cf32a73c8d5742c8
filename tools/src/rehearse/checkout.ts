/**
 * What the rehearsal takes from the checkout it runs in: the npm scripts the workflows call
 * (run by their package.json command, as `npm run` would), the repository's TypeScript scripts
 * (as `npx tsx` would), and the pinned tools and Python venvs its scripts install (cached
 * outside the clone; the first run builds them).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findRoot } from "../load-gate/run-gate.js";
import { RehearsalError } from "./errors.js";
import type { Supervisor } from "./supervisor.js";

export type Checkout = { root: string };

export function checkout(): Checkout {
  let root: string;
  try {
    root = findRoot();
  } catch (err) {
    throw new RehearsalError((err as Error).message);
  }
  for (const needed of [
    "scripts/tools.sh",
    "scripts/venv.sh",
    "models/train.py",
    ".github/scripts/set-values.ts",
  ]) {
    if (!existsSync(join(root, needed)))
      throw new RehearsalError(
        `${root} has no ${needed}: the rehearsal runs in a checkout of the repository`,
      );
  }
  return { root };
}

/**
 * `npm run <script>` as a command: package.json's script must be `node <file> <words...>` (every
 * script the workflows call is one); it runs on this Node, from the checkout root.
 */
export function npmScript(root: string, script: string): { command: string; args: string[] } {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  const line = pkg.scripts?.[script];
  const words = line?.trim().split(/\s+/) ?? [];
  if (words[0] !== "node" || words.length < 2)
    throw new RehearsalError(
      `package.json script "${script}" is ${line ? `"${line}"` : "missing"}, not "node <file> ..."`,
    );
  return { command: process.execPath, args: words.slice(1) };
}

/** `npx tsx <file>`: a repository TypeScript script on this Node. */
export function tsxScript(file: string): { command: string; args: string[] } {
  return { command: process.execPath, args: ["--import", "tsx", file] };
}

/** A pinned tool (scripts/tools.sh <name>, linked into .tools/bin). */
export async function pinnedTool(supervisor: Supervisor, root: string, name: string): Promise<string> {
  const r = await supervisor.run(`install-${name}`, "bash", ["scripts/tools.sh", name], { cwd: root });
  const bin = join(root, ".tools", "bin", name);
  if (r.code !== 0 || !existsSync(bin))
    throw new RehearsalError(`bash scripts/tools.sh ${name} failed (exit ${r.code}); see ${r.log}`);
  return bin;
}

/** A pinned Python venv (scripts/venv.sh <name> <requirements>); returns its folder. */
export async function pinnedVenv(
  supervisor: Supervisor,
  root: string,
  name: string,
  requirements: string,
): Promise<string> {
  const r = await supervisor.run(`venv-${name}`, "bash", ["scripts/venv.sh", name, requirements], {
    cwd: root,
  });
  const folder = r.output().trim().split("\n").pop() ?? "";
  if (r.code !== 0 || !existsSync(join(folder, "bin", "python")))
    throw new RehearsalError(
      `bash scripts/venv.sh ${name} ${requirements} failed (exit ${r.code}); see ${r.log}`,
    );
  return folder;
}
