import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ModelLoadError } from "../errors.js";

/** Streams a file through sha256; never holds the file in memory. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Makes `dest` hold bytes whose sha256 is `expected`, fetching them with `open` only when the
 * cache does not already hold them. The download streams into a temp file beside `dest` while
 * hashing; only a verified file is renamed into place (rename is atomic on one filesystem), so a
 * reader never sees a partial or corrupt artifact, and a crash leaves at most a stray temp file.
 * Returns true when it downloaded, false when the cache was reused.
 */
export async function fetchToCache(
  open: () => Promise<Readable>,
  dest: string,
  expected: string,
  describe: string,
): Promise<boolean> {
  if ((await exists(dest)) && (await sha256File(dest)) === expected) return false;
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.${randomUUID()}.partial`;
  const hash = createHash("sha256");
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(await open(), hashing, createWriteStream(tmp, { flags: "wx" }));
    const actual = hash.digest("hex");
    if (actual !== expected) {
      throw new ModelLoadError(
        "digest_mismatch",
        `${describe}: sha256 ${actual} does not match the manifest's ${expected}; refusing to use it`,
      );
    }
    await rename(tmp, dest);
    return true;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Refuses an artifact over the size a worker loads, before it is read or downloaded. */
export function checkArtifactSize(size: number, maxBytes: number, describe: string): void {
  if (size > maxBytes) {
    throw new ModelLoadError(
      "too_large",
      `${describe}: the artifact is ${size} bytes, over the ${maxBytes} a worker loads (INFERGATE_MAX_MODEL_BYTES)`,
    );
  }
}

/**
 * Removes the cached artifacts (`<cacheDir>/<model>/<version>/`) of every version not in `keep`
 * ("model/version"), so a cache on a size-limited volume holds only what serves or loads.
 */
export async function pruneCache(cacheDir: string, keep: ReadonlySet<string>): Promise<void> {
  let models: string[];
  try {
    models = await readdir(cacheDir);
  } catch {
    return; // nothing cached yet
  }
  for (const model of models) {
    for (const version of await readdir(join(cacheDir, model)).catch(() => [] as string[])) {
      if (!keep.has(`${model}/${version}`))
        await rm(join(cacheDir, model, version), { recursive: true, force: true });
    }
  }
}
