import { copyFile, lstat, mkdir, readdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseVersion } from "../../../service/src/repository/version-policy.js";
import { ModelInitError } from "./errors.js";

/**
 * A version folder built beside its final place and moved there in one rename, so a server
 * polling the repository never sees half a version (it lists only numeric folders with a
 * manifest, and the staging folder's name is not a number).
 */
export class StagedVersion {
  private constructor(
    readonly folder: string,
    readonly staging: string,
    /** Folders this staging made (the model's, maybe the repository's), innermost first. */
    private readonly createdFolders: readonly string[],
  ) {}

  /** Refuses an existing version, then copies the model into a staging folder beside it. */
  static async stage(
    repository: string,
    name: string,
    version: number,
    model: string,
  ): Promise<StagedVersion> {
    const parent = join(repository, name);
    const folder = join(parent, String(version));
    await refuseExisting(folder, parent);
    const first = await mkdir(parent, { recursive: true });
    const created: string[] = [];
    for (let d = parent; first !== undefined; d = dirname(d)) {
      created.push(d);
      if (d === first || d === dirname(d)) break;
    }
    const staging = join(parent, `.init-${version}-${process.pid}`);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging);
    const staged = new StagedVersion(folder, staging, created);
    try {
      await copyFile(model, staged.modelPath);
    } catch (err) {
      await staged.discard();
      throw new ModelInitError("input", `cannot read the model ${model} (${(err as Error).message})`);
    }
    return staged;
  }

  get modelPath(): string {
    return join(this.staging, "model.onnx");
  }

  /** Writes the manifest last and moves the folder into place; refuses if the version appeared meanwhile. */
  async commit(manifestText: string): Promise<string> {
    await writeFile(join(this.staging, "manifest.json"), manifestText);
    await refuseExisting(this.folder, join(this.folder, ".."));
    await rename(this.staging, this.folder);
    return this.folder;
  }

  /** Removes the staging folder, and the folders staging made when they are empty again. */
  async discard(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
    for (const folder of this.createdFolders) await rmdir(folder).catch(() => undefined);
  }
}

async function refuseExisting(folder: string, parent: string): Promise<void> {
  const exists = await lstat(folder).then(
    () => true,
    () => false,
  );
  if (!exists) return;
  const versions = (await readdir(parent).catch(() => [] as string[]))
    .map((n) => parseVersion(n))
    .filter((v): v is number => v !== undefined);
  const next = Math.max(0, ...versions) + 1;
  throw new ModelInitError(
    "refused",
    `${folder} already exists and versions are immutable: pass a new --version (the next free one is ${next})`,
  );
}
