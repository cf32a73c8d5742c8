import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { sha256File } from "../../../service/src/repository/cache.js";
import { type Manifest, parseManifest } from "../../../service/src/repository/manifest.js";
import { parseVersion } from "../../../service/src/repository/version-policy.js";

export type PublishFailure = "invalid_source" | "exists" | "incomplete" | "upload";

/** Why a publish did not happen; `invalid_source` is found before anything is sent. */
export class PublishError extends Error {
  override name = "PublishError";
  constructor(
    readonly reason: PublishFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A version folder that passed every local check and may be uploaded. */
export type CheckedSource = Readonly<{
  dir: string;
  model: string;
  version: number;
  manifest: Manifest;
  /** The manifest's bytes exactly as on disk: what is uploaded, never a re-serialisation. */
  manifestBytes: Buffer;
  modelPath: string;
  modelBytes: number;
}>;

async function fileSize(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => (s.isFile() ? s.size : undefined),
    () => undefined,
  );
}

/**
 * Checks a version folder before anything is uploaded: both files present, a valid manifest that
 * names the target model/version (the explicit ones, else the folder's `<model>/<version>`), and
 * a model.onnx whose sha256 is the manifest's. A server would refuse a version failing any of these.
 */
export async function checkSource(
  dir: string,
  target: { model?: string; version?: number } = {},
): Promise<CheckedSource> {
  const folder = resolve(dir);
  const fail = (msg: string) => new PublishError("invalid_source", `${folder}: ${msg}`);
  const manifestPath = join(folder, "manifest.json");
  const modelPath = join(folder, "model.onnx");
  const modelBytes = await fileSize(modelPath);
  if ((await fileSize(manifestPath)) === undefined)
    throw fail("no manifest.json (is this a version folder?)");
  if (modelBytes === undefined) throw fail("no model.onnx");
  const manifestBytes = await readFile(manifestPath);
  let manifest: Manifest;
  try {
    manifest = parseManifest(manifestBytes.toString("utf8"), manifestPath);
  } catch (err) {
    throw new PublishError("invalid_source", (err as Error).message);
  }
  const explicit = target.model !== undefined || target.version !== undefined;
  const model = target.model ?? basename(dirname(folder));
  const version = target.version ?? parseVersion(basename(folder));
  if (version === undefined) {
    throw fail(`the folder name "${basename(folder)}" is not a version number; pass --model and --version`);
  }
  if (manifest.name !== model || manifest.version !== version) {
    const said = explicit ? "--model/--version say" : "the folder path says";
    throw fail(`manifest.json says ${manifest.name}/${manifest.version}, but ${said} ${model}/${version}`);
  }
  const actual = await sha256File(modelPath);
  if (actual !== manifest.sha256) {
    throw fail(`model.onnx has sha256 ${actual}, but manifest.json says ${manifest.sha256}`);
  }
  return { dir: folder, model, version, manifest, manifestBytes, modelPath, modelBytes };
}
