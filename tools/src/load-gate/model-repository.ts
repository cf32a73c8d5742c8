/** The model repository the service under test loads: --candidate, --model-repository or the default. */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "./errors.js";
import type { GateOptions } from "./options.js";
import { removeOnCleanup } from "./processes.js";

export type Repository = { uri: string; model: string };

/** --candidate / --model-repository / default → the repository URI the service loads, and the model. */
export async function resolveRepository(opts: GateOptions, root: string): Promise<Repository> {
  if (opts.modelRepository !== undefined) {
    const r = opts.modelRepository;
    const uri = r.startsWith("file://") || r.startsWith("s3://") ? r : pathToFileURL(resolve(r)).href;
    return { uri, model: opts.model ?? "digits" };
  }
  if (opts.candidate === undefined) {
    return { uri: pathToFileURL(join(root, "models", "repository")).href, model: opts.model ?? "digits" };
  }
  const dir = resolve(opts.candidate);
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new UsageError(`--candidate ${opts.candidate}: not a directory`);
  const manifestPath = join(dir, "manifest.json");
  if (existsSync(manifestPath)) {
    // One version directory: serve it from a throw-away repository <tmp>/<model>/<version>/.
    let manifest: { name?: unknown; version?: unknown };
    try {
      manifest = JSON.parse(await readFile(manifestPath, "utf8"));
    } catch (err) {
      throw new UsageError(`${manifestPath}: not JSON (${(err as Error).message})`);
    }
    const name = typeof manifest.name === "string" ? manifest.name : undefined;
    const version = Number(manifest.version);
    if (!name || !Number.isInteger(version) || version < 1) {
      throw new UsageError(`${manifestPath}: needs "name" and a positive integer "version"`);
    }
    if (opts.model !== undefined && opts.model !== name) {
      throw new UsageError(`--model ${opts.model} but the candidate manifest is for "${name}"`);
    }
    if (!existsSync(join(dir, "model.onnx")))
      throw new UsageError(`--candidate ${opts.candidate}: no model.onnx`);
    const repo = await mkdtemp(join(tmpdir(), "infergate-gate-repo-"));
    removeOnCleanup(repo);
    const versionDir = join(repo, name, String(version));
    await mkdir(versionDir, { recursive: true });
    await symlink(join(dir, "manifest.json"), join(versionDir, "manifest.json"));
    await symlink(join(dir, "model.onnx"), join(versionDir, "model.onnx"));
    return { uri: pathToFileURL(repo).href, model: name };
  }
  const model = opts.model ?? "digits";
  if (!existsSync(join(dir, model))) {
    throw new UsageError(
      `--candidate ${opts.candidate}: neither a version directory (manifest.json) nor a repository with ${model}/`,
    );
  }
  return { uri: pathToFileURL(dir).href, model };
}
