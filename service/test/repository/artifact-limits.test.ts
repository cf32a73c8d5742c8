import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelLoadError } from "../../src/errors.js";
import { loadConfig } from "../../src/process/config.js";
import { FileSource } from "../../src/repository/file-source.js";
import { S3Source } from "../../src/repository/s3-source.js";
import { type Moto, startMoto } from "../support/moto.js";
import { BUNDLED_REPOSITORY } from "../support/paths.js";
import { createBucket, uploadVersion } from "../support/s3-repo.js";
import { startService } from "../support/service.js";

/**
 * The artifact bounds of a worker: a model over INFERGATE_MAX_MODEL_BYTES is refused before it is
 * read or downloaded (too_large, the variable named), and the S3 cache keeps only the versions the
 * worker still holds.
 */
const BUCKET = "infergate-limits";
const PREFIX = "models";
const sha = async (v: number) =>
  JSON.parse(await readFile(join(BUNDLED_REPOSITORY, "digits", String(v), "manifest.json"), "utf8"))
    .sha256 as string;
const size = async (v: number) =>
  (await stat(join(BUNDLED_REPOSITORY, "digits", String(v), "model.onnx"))).size;
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("materialized");
    },
    (e: unknown) => e as ModelLoadError,
  );

describe("artifact size bound (file repository)", () => {
  it("loads an artifact of exactly the bound and refuses one byte less", async () => {
    const source = new FileSource(BUNDLED_REPOSITORY);
    const bytes = await size(2);
    await expect(source.materialize("digits", 2, await sha(2), bytes)).resolves.toMatch(/model\.onnx$/);
    const err = await refusal(source.materialize("digits", 2, await sha(2), bytes - 1));
    expect(err).toBeInstanceOf(ModelLoadError);
    expect(err.reason).toBe("too_large");
    expect(err.message).toBe(
      `${join(BUNDLED_REPOSITORY, "digits", "2", "model.onnx")}: the artifact is ${bytes} bytes, over the ${bytes - 1} a worker loads (INFERGATE_MAX_MODEL_BYTES)`,
    );
  });

  it("a served repository keeps serving the version under the bound and reports the other", async () => {
    const svc = await startService({
      INFERGATE_MAX_MODEL_BYTES: String((await size(2)) - 1),
      INFERGATE_VERSION_POLICY: "all",
    });
    try {
      const index = await svc.app.inject({ method: "POST", url: "/v2/repository/index", payload: {} });
      const byVersion = Object.fromEntries(
        (index.json() as { version: string; state: string; reason: string }[]).map((e) => [e.version, e]),
      );
      expect(byVersion["1"]?.state).toBe("READY");
      expect(byVersion["2"]?.state).toBe("UNAVAILABLE");
      expect(byVersion["2"]?.reason).toMatch(/^failed to load \(too_large\)/);
      const ok = await svc.app.inject({ method: "GET", url: "/v2/models/digits/versions/1/ready" });
      expect(ok.statusCode).toBe(200);
    } finally {
      await svc.close();
    }
  });
});

describe("artifact size bound and cache pruning (S3 repository)", () => {
  let moto: Moto;
  let cacheDir: string;
  let source: S3Source;
  beforeAll(async () => {
    moto = await startMoto();
    cacheDir = await mkdtemp(join(tmpdir(), "infergate-limits-cache-"));
    await createBucket(moto.s3, BUCKET);
    for (const v of [1, 2]) await uploadVersion(moto.s3, BUCKET, PREFIX, "digits", v);
    source = new S3Source(
      loadConfig({
        INFERGATE_MODEL_REPOSITORY: `s3://${BUCKET}/${PREFIX}`,
        INFERGATE_S3_ENDPOINT: moto.endpoint,
        INFERGATE_S3_FORCE_PATH_STYLE: "true",
        INFERGATE_MODEL_CACHE_DIR: cacheDir,
        INFERGATE_S3_MAX_ATTEMPTS: "1",
      }),
    );
  });
  afterAll(async () => {
    source.destroy();
    await moto?.stop();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("refuses an object over the bound from its length, writing nothing to the cache", async () => {
    const err = await refusal(source.materialize("digits", 2, await sha(2), 1024));
    expect(err.reason).toBe("too_large");
    expect(err.message).toBe(
      `s3://${BUCKET}/${PREFIX}/digits/2/model.onnx: the artifact is ${await size(2)} bytes, over the 1024 a worker loads (INFERGATE_MAX_MODEL_BYTES)`,
    );
    const cached = await readdir(cacheDir, { recursive: true }).catch(() => [] as string[]);
    expect(cached.filter((f) => f.endsWith(".onnx") || f.includes(".tmp"))).toEqual([]);
  });

  it("prunes the cached artifacts of versions not kept, and keeps the rest", async () => {
    for (const v of [1, 2]) await source.materialize("digits", v, await sha(v), Number.POSITIVE_INFINITY);
    expect((await readdir(join(cacheDir, "digits"))).sort()).toEqual(["1", "2"]);
    await source.prune(new Set(["digits/2"]));
    expect(await readdir(join(cacheDir, "digits"))).toEqual(["2"]);
    expect(await readdir(join(cacheDir, "digits", "2"))).toEqual([`${await sha(2)}.onnx`]);
  });

  it("a reconcile drops what an earlier run of the worker left in the cache", async () => {
    await mkdir(join(cacheDir, "digits", "7"), { recursive: true });
    await writeFile(join(cacheDir, "digits", "7", `${"0".repeat(64)}.onnx`), "stale");
    const svc = await startService({
      INFERGATE_MODEL_REPOSITORY: `s3://${BUCKET}/${PREFIX}`,
      INFERGATE_S3_ENDPOINT: moto.endpoint,
      INFERGATE_S3_FORCE_PATH_STYLE: "true",
      INFERGATE_MODEL_CACHE_DIR: cacheDir,
    });
    try {
      // The default policy serves the latest version only: the earlier test's v1 goes as well.
      expect(await readdir(join(cacheDir, "digits"))).toEqual(["2"]);
    } finally {
      await svc.close();
    }
  });
});
