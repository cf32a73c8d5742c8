import { createHash } from "node:crypto";
import type { Dirent } from "node:fs";
import { readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ModelLoadError } from "../errors.js";
import { checkArtifactSize, sha256File } from "./cache.js";
import type { ModelSource } from "./source.js";
import { POINTER_FILE } from "./track-pointer.js";
import { parseVersion } from "./version-policy.js";

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * A folder entry that is a directory, following symbolic links: volume mounts (Kubernetes
 * ConfigMaps, CSI drivers, `..data`-style atomic updates) present folders as links.
 */
async function isDirectory(parent: string, e: Dirent): Promise<boolean> {
  if (e.isDirectory()) return true;
  if (!e.isSymbolicLink()) return false;
  try {
    return (await stat(join(parent, e.name))).isDirectory();
  } catch {
    return false; // a dangling link
  }
}

/** A model repository on local disk. Files are verified in place; nothing is copied. */
export class FileSource implements ModelSource {
  readonly uri: string;
  constructor(private readonly root: string) {
    this.uri = pathToFileURL(root).href;
  }

  async listModels(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true });
    const models: string[] = [];
    for (const e of entries) {
      if ((await isDirectory(this.root, e)) && (await this.listVersions(e.name)).length > 0)
        models.push(e.name);
    }
    return models.sort();
  }

  async listVersions(model: string): Promise<number[]> {
    const folder = join(this.root, model);
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return [];
    }
    const versions: number[] = [];
    for (const e of entries) {
      const v = (await isDirectory(folder, e)) ? parseVersion(e.name) : undefined;
      if (v !== undefined && (await isFile(join(folder, e.name, "manifest.json")))) versions.push(v);
    }
    return versions.sort((a, b) => a - b);
  }

  async readManifest(model: string, version: number): Promise<{ text: string; where: string }> {
    const path = join(this.root, model, String(version), "manifest.json");
    try {
      return { text: await readFile(path, "utf8"), where: path };
    } catch (err) {
      throw new ModelLoadError("not_found", `${path}: cannot read manifest (${(err as Error).message})`);
    }
  }

  async materialize(model: string, version: number, sha256: string, maxBytes: number): Promise<string> {
    const path = join(this.root, model, String(version), "model.onnx");
    let actual: string;
    try {
      checkArtifactSize((await stat(path)).size, maxBytes, path);
      actual = await sha256File(path);
    } catch (err) {
      if (err instanceof ModelLoadError) throw err;
      throw new ModelLoadError("not_found", `${path}: cannot read model (${(err as Error).message})`);
    }
    if (actual !== sha256) {
      throw new ModelLoadError(
        "digest_mismatch",
        `${path}: sha256 ${actual} does not match the manifest's ${sha256}; refusing to load it`,
      );
    }
    return path;
  }

  /** Files are served in place: there is no cache to prune. */
  async prune(): Promise<void> {}

  async readPointer(model: string): Promise<{ text: string; where: string } | undefined> {
    const path = join(this.root, model, POINTER_FILE);
    try {
      return { text: await readFile(path, "utf8"), where: path };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  async writePointer(model: string, text: string): Promise<void> {
    const path = join(this.root, model, POINTER_FILE);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, path); // readers see the old pointer or the new one, never half of one
  }

  async fingerprint(): Promise<string> {
    const hash = createHash("sha256");
    for (const model of await this.listModels()) {
      const pointer = await this.readPointer(model);
      if (pointer) hash.update(`${model}/tracks:${pointer.text}\n`);
      for (const version of await this.listVersions(model)) {
        const manifest = join(this.root, model, String(version), "manifest.json");
        const s = await stat(manifest);
        hash.update(`${model}/${version}:${s.size}:${s.mtimeMs}\n`);
      }
    }
    return hash.digest("hex");
  }
}
