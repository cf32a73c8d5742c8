import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelLoadError } from "../../src/errors.js";
import { loadConfig } from "../../src/process/config.js";
import { S3Source } from "../../src/repository/s3-source.js";
import { inferBody, validationRows } from "../support/data.js";
import { type Moto, startMoto } from "../support/moto.js";
import { createBucket, put, uploadVersion } from "../support/s3-repo.js";
import { startService } from "../support/service.js";

const BUCKET = "infergate-models";
const PREFIX = "prod/models";

function sourceFor(moto: Moto, cacheDir: string, repository = `s3://${BUCKET}/${PREFIX}`) {
  const config = loadConfig({
    INFERGATE_MODEL_REPOSITORY: repository,
    INFERGATE_S3_ENDPOINT: moto.endpoint,
    INFERGATE_S3_FORCE_PATH_STYLE: "true",
    INFERGATE_MODEL_CACHE_DIR: cacheDir,
    INFERGATE_S3_MAX_ATTEMPTS: "2",
  });
  return new S3Source(config);
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ModelLoadError,
  );

describe("S3 model repository against a real S3 server (moto)", () => {
  let moto: Moto;
  let cacheDir: string;
  beforeAll(async () => {
    moto = await startMoto();
    cacheDir = await mkdtemp(join(tmpdir(), "infergate-s3-cache-"));
    await createBucket(moto.s3, BUCKET);
    await uploadVersion(moto.s3, BUCKET, PREFIX, "digits", 1);
    await uploadVersion(moto.s3, BUCKET, PREFIX, "digits", 2);
    // Version 3: a manifest whose sha256 does not match the bytes beside it.
    const manifest = JSON.parse(
      await readFile(`${process.cwd()}/models/repository/digits/2/manifest.json`, "utf8"),
    );
    const tampered = Buffer.concat([
      await readFile(`${process.cwd()}/models/repository/digits/2/model.onnx`),
      Buffer.from([0]),
    ]);
    await put(moto.s3, BUCKET, `${PREFIX}/digits/3/model.onnx`, tampered);
    await put(
      moto.s3,
      BUCKET,
      `${PREFIX}/digits/3/manifest.json`,
      JSON.stringify({ ...manifest, version: 3 }),
    );
    // A half-published version (no manifest yet) must be invisible.
    await put(moto.s3, BUCKET, `${PREFIX}/digits/4/model.onnx`, tampered);
  });
  afterAll(async () => {
    await moto?.stop();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("lists models and the versions that have a manifest", async () => {
    const source = sourceFor(moto, cacheDir);
    expect(await source.listModels()).toEqual(["digits"]);
    expect(await source.listVersions("digits")).toEqual([1, 2, 3]);
    expect(source.uri).toBe(`s3://${BUCKET}/${PREFIX}`);
    source.destroy();
  });

  it("serves a model from S3 end to end, caching the artifact by digest", async () => {
    const svc = await startService({
      INFERGATE_MODEL_REPOSITORY: `s3://${BUCKET}/${PREFIX}`,
      INFERGATE_S3_ENDPOINT: moto.endpoint,
      INFERGATE_S3_FORCE_PATH_STYLE: "true",
      INFERGATE_MODEL_CACHE_DIR: cacheDir,
      INFERGATE_VERSION_POLICY: "specific:2",
    });
    try {
      expect(svc.dataPlane.ready()).toBe(true);
      const res = await svc.app.inject({
        method: "POST",
        url: "/v2/models/digits/infer",
        payload: inferBody(validationRows().slice(0, 2)),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().model_version).toBe("2");
      const sha = JSON.parse(await readFile("models/repository/digits/2/manifest.json", "utf8")).sha256;
      expect(await readdir(join(cacheDir, "digits", "2"))).toEqual([`${sha}.onnx`]);
    } finally {
      await svc.close();
    }
  });

  it("reuses the cached artifact when its digest matches (no second download)", async () => {
    await moto.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/digits/2/model.onnx` }));
    const source = sourceFor(moto, cacheDir);
    const sha = JSON.parse(await readFile("models/repository/digits/2/manifest.json", "utf8")).sha256;
    const path = await source.materialize("digits", 2, sha, Number.POSITIVE_INFINITY);
    expect((await stat(path)).size).toBeGreaterThan(0);
    source.destroy();
    await uploadVersion(moto.s3, BUCKET, PREFIX, "digits", 2);
  });

  it("names bucket and key when an object is missing", async () => {
    const source = sourceFor(moto, cacheDir);
    const err = await errorOf(source.readManifest("digits", 9));
    expect(err).toBeInstanceOf(ModelLoadError);
    expect(err?.reason).toBe("not_found");
    expect(err?.message).toContain(`s3://${BUCKET}/${PREFIX}/digits/9/manifest.json`);
    const noModel = await errorOf(source.materialize("digits", 8, "0".repeat(64), Number.POSITIVE_INFINITY));
    expect(noModel?.message).toContain(`s3://${BUCKET}/${PREFIX}/digits/8/model.onnx: not found`);
    const noBucket = sourceFor(moto, cacheDir, "s3://no-such-bucket/x");
    expect((await errorOf(noBucket.readManifest("digits", 1)))?.reason).toBe("not_found");
    source.destroy();
    noBucket.destroy();
  });

  it("refuses an artifact whose sha256 mismatches: that version never serves, the previous one keeps serving", async () => {
    const svc = await startService({
      INFERGATE_MODEL_REPOSITORY: `s3://${BUCKET}/${PREFIX}`,
      INFERGATE_S3_ENDPOINT: moto.endpoint,
      INFERGATE_S3_FORCE_PATH_STYLE: "true",
      INFERGATE_MODEL_CACHE_DIR: cacheDir,
      INFERGATE_VERSION_POLICY: "latest:2",
    });
    try {
      const v3 = svc.registry.versions("digits").get(3);
      expect(v3?.state).toBe("failed");
      expect(v3?.state === "failed" && v3.error).toMatch(/digits\/3\/model.onnx: sha256 .* does not match/);
      expect(await readdir(join(cacheDir, "digits", "3"))).toEqual([]); // nothing half-written is left
      const res = await svc.app.inject({
        method: "POST",
        url: "/v2/models/digits/infer",
        payload: inferBody(validationRows().slice(0, 1)),
      });
      expect(res.json().model_version).toBe("2");
      expect((await svc.app.inject("/v2/models/digits/versions/3/ready")).statusCode).toBe(503);
      const metrics = (await svc.app.inject("/metrics")).body;
      expect(metrics).toMatch(
        /infergate_model_load_failures_total\{model="digits",version="3",reason="digest_mismatch"\} 1/,
      );
    } finally {
      await svc.close();
    }
    const only3 = await startService({
      INFERGATE_MODEL_REPOSITORY: `s3://${BUCKET}/${PREFIX}`,
      INFERGATE_S3_ENDPOINT: moto.endpoint,
      INFERGATE_S3_FORCE_PATH_STYLE: "true",
      INFERGATE_MODEL_CACHE_DIR: cacheDir,
      INFERGATE_VERSION_POLICY: "latest:1",
    });
    try {
      expect(only3.dataPlane.ready()).toBe(false);
      expect((await only3.app.inject("/v2/health/ready")).statusCode).toBe(503);
      const res = await only3.app.inject({
        method: "POST",
        url: "/v2/models/digits/infer",
        payload: inferBody(validationRows().slice(0, 1)),
      });
      expect(res.statusCode).toBe(503);
    } finally {
      await only3.close();
    }
  });

  it("streams a large (64 MiB) artifact into the cache and verifies it", async () => {
    const big = randomBytes(64 * 1024 * 1024);
    const sha = createHash("sha256").update(big).digest("hex");
    await put(moto.s3, BUCKET, `${PREFIX}/big/1/model.onnx`, big);
    const source = sourceFor(moto, cacheDir);
    const path = await source.materialize("big", 1, sha, Number.POSITIVE_INFINITY);
    expect((await stat(path)).size).toBe(big.length);
    expect(
      createHash("sha256")
        .update(await readFile(path))
        .digest("hex"),
    ).toBe(sha);
    expect(await readdir(join(cacheDir, "big", "1"))).toEqual([`${sha}.onnx`]);
    source.destroy();
  }, 120_000);
});

describe("S3 access denied (moto enforcing IAM)", () => {
  let moto: Moto;
  let reader: { id: string; secret: string };
  beforeAll(async () => {
    // Exactly four unauthenticated set-up calls, then IAM is enforced.
    moto = await startMoto({ authAfter: 4 });
    await createBucket(moto.s3, BUCKET);
    await put(moto.s3, BUCKET, `${PREFIX}/digits/1/manifest.json`, "{}");
    const iam = new IAMClient({ endpoint: moto.endpoint, region: "us-east-1" });
    await iam.send(new CreateUserCommand({ UserName: "no-permissions" }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: "no-permissions" }));
    iam.destroy();
    reader = { id: key.AccessKey?.AccessKeyId ?? "", secret: key.AccessKey?.SecretAccessKey ?? "" };
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("reports 403 as access denied naming bucket and key, without retrying forever", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = reader.id;
    process.env.AWS_SECRET_ACCESS_KEY = reader.secret;
    const source = sourceFor(moto, tmpdir());
    try {
      const err = await errorOf(source.readManifest("digits", 1));
      expect(err).toBeInstanceOf(ModelLoadError);
      expect(err?.reason).toBe("access_denied");
      expect(err?.message).toContain(`s3://${BUCKET}/${PREFIX}/digits/1/manifest.json: access denied`);
      const listing = await errorOf(source.listVersions("digits"));
      expect(listing?.reason).toBe("access_denied");
    } finally {
      source.destroy();
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});
