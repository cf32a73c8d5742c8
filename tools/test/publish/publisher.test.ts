import { createHash, randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../service/src/process/config.js";
import { S3Source } from "../../../service/src/repository/s3-source.js";
import { type Moto, startMoto } from "../../../service/test/support/moto.js";
import { BUNDLED_REPOSITORY } from "../../../service/test/support/paths.js";
import { createBucket, put } from "../../../service/test/support/s3-repo.js";
import { startService } from "../../../service/test/support/service.js";
import { type CheckedSource, checkSource, PublishError } from "../../src/publish/publish-source.js";
import { Publisher } from "../../src/publish/publisher.js";

const BUCKET = "infergate-publish";
const MIB = 1024 * 1024;

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as PublishError,
  );

describe("Publisher against a real S3 server (moto)", () => {
  let moto: Moto;
  let dir: string;
  let lines: string[];
  const publisher = (deps: Partial<ConstructorParameters<typeof Publisher>[0]> = {}) =>
    new Publisher({ client: moto.s3, log: (l) => lines.push(l), ...deps });
  const env = (prefix: string) => ({
    INFERGATE_MODEL_REPOSITORY: `s3://${BUCKET}/${prefix}`,
    INFERGATE_S3_ENDPOINT: moto.endpoint,
    INFERGATE_S3_FORCE_PATH_STYLE: "true",
    INFERGATE_MODEL_CACHE_DIR: join(dir, "cache"),
    INFERGATE_S3_MAX_ATTEMPTS: "1",
  });
  const source = (prefix: string) => new S3Source(loadConfig(env(prefix)));
  const keys = async (prefix: string) =>
    ((await moto.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map(
      (o) => o.Key,
    );
  const body = async (key: string) =>
    Buffer.from(
      await ((
        await moto.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
      ).Body?.transformToByteArray() ?? []),
    );

  beforeAll(async () => {
    moto = await startMoto();
    dir = await mkdtemp(join(tmpdir(), "infergate-publisher-"));
    await createBucket(moto.s3, BUCKET);
  });
  afterAll(async () => {
    await moto?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("publishes a version folder byte for byte, manifest last", async () => {
    lines = [];
    const checked = await checkSource(`${BUNDLED_REPOSITORY}/digits/1`);
    const writes: string[] = [];
    const published = await publisher({ beforeWrite: async (f) => void writes.push(f) }).publish(
      checked,
      `s3://${BUCKET}/prod/models`,
    );
    expect(published).toMatchObject({
      uri: `s3://${BUCKET}/prod/models/digits/1/`,
      model: "digits",
      version: 1,
    });
    expect(writes).toEqual(["model.onnx", "manifest.json"]);
    expect(await body("prod/models/digits/1/model.onnx")).toEqual(
      await readFile(`${BUNDLED_REPOSITORY}/digits/1/model.onnx`),
    );
    expect(await body("prod/models/digits/1/manifest.json")).toEqual(
      await readFile(`${BUNDLED_REPOSITORY}/digits/1/manifest.json`),
    );
    const s3 = source("prod/models");
    expect(await s3.listVersions("digits")).toEqual([1]);
    s3.destroy();
  });

  it("moto honours If-None-Match: * on PutObject and on multipart completion", async () => {
    await put(moto.s3, BUCKET, "conditional/a", "first");
    const single = moto.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "conditional/a", Body: "second", IfNoneMatch: "*" }),
    );
    await expect(single).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    const multipart = new Upload({
      client: moto.s3,
      partSize: 5 * MIB,
      params: { Bucket: BUCKET, Key: "conditional/a", Body: randomBytes(6 * MIB), IfNoneMatch: "*" },
    });
    await expect(multipart.done()).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    expect((await body("conditional/a")).toString()).toBe("first");
  });

  it("uploads a large artifact in parts that reassemble to the manifest's sha256", async () => {
    lines = [];
    const folder = join(dir, "large/digits/7");
    await mkdir(folder, { recursive: true });
    const bytes = randomBytes(11 * MIB);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const manifest = JSON.parse(await readFile(`${BUNDLED_REPOSITORY}/digits/2/manifest.json`, "utf8"));
    await writeFile(join(folder, "model.onnx"), bytes);
    await writeFile(join(folder, "manifest.json"), JSON.stringify({ ...manifest, version: 7, sha256 }));
    let last = 0;
    await publisher({
      partSizeBytes: 5 * MIB,
      onUploadProgress: (loaded) => {
        last = loaded;
      },
    }).publish(await checkSource(folder), `s3://${BUCKET}/large`);
    const head = await moto.s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "large/digits/7/model.onnx" }),
    );
    expect(head.ETag).toMatch(/-3"$/); // a multipart ETag: 5 + 5 + 1 MiB
    expect(last).toBe(bytes.length);
    // The server's own download path verifies the reassembled bytes against the manifest.
    const s3 = source("large");
    const downloaded = await readFile(await s3.materialize("digits", 7, sha256, Number.POSITIVE_INFINITY));
    // Buffer.equals, not toEqual: vitest's deep equality walks 11 Mi elements one by one (minutes).
    expect(downloaded.equals(bytes)).toBe(true);
    s3.destroy();
  });

  it("refuses an existing version without touching it", async () => {
    const before = await moto.s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "prod/models/digits/1/model.onnx" }),
    );
    const err = await failure(
      publisher().publish(await checkSource(`${BUNDLED_REPOSITORY}/digits/1`), `s3://${BUCKET}/prod/models`),
    );
    expect(err).toBeInstanceOf(PublishError);
    expect(err.reason).toBe("exists");
    expect(err.message).toBe(
      `s3://${BUCKET}/prod/models/digits/1/ already exists; versions are immutable, publish a new version number`,
    );
    const after = await moto.s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "prod/models/digits/1/model.onnx" }),
    );
    expect(after.ETag).toBe(before.ETag);
  });

  it("loses a race cleanly: a version created after the existence check is not overwritten", async () => {
    const checked = await checkSource(`${BUNDLED_REPOSITORY}/digits/2`);
    // Another publisher's complete version lands between our listing and our first write.
    const racer = async () => {
      await put(moto.s3, BUCKET, "race/digits/2/model.onnx", "racer model");
      await put(moto.s3, BUCKET, "race/digits/2/manifest.json", "racer manifest");
    };
    const err = await failure(
      publisher({ beforeWrite: async (f) => (f === "model.onnx" ? racer() : undefined) }).publish(
        checked,
        `s3://${BUCKET}/race`,
      ),
    );
    expect(err.reason).toBe("exists");
    expect(err.message).toContain(
      `s3://${BUCKET}/race/digits/2/ was created by someone else while publishing`,
    );
    expect((await body("race/digits/2/model.onnx")).toString()).toBe("racer model");
    // Same when only the manifest appears late: ours is refused, theirs stays, nothing is deleted.
    const late = await failure(
      publisher({
        beforeWrite: async (f) =>
          f === "manifest.json" ? put(moto.s3, BUCKET, "late/digits/2/manifest.json", "theirs") : undefined,
      }).publish(checked, `s3://${BUCKET}/late`),
    );
    expect(late.reason).toBe("exists");
    expect((await body("late/digits/2/manifest.json")).toString()).toBe("theirs");
    expect(await keys("late/")).toEqual(["late/digits/2/manifest.json", "late/digits/2/model.onnx"]);
  });

  it("leaves no loadable version when a publish breaks off before the manifest", async () => {
    lines = [];
    const crash = new Error("simulated crash before the manifest");
    const checked = await checkSource(`${BUNDLED_REPOSITORY}/digits/2`);
    const broken = publisher({
      beforeWrite: async (f) => (f === "manifest.json" ? Promise.reject(crash) : undefined),
    });
    await expect(broken.publish(checked, `s3://${BUCKET}/prod/models`)).rejects.toBe(crash);
    expect(lines).toContain(`removed the partial upload s3://${BUCKET}/prod/models/digits/2/model.onnx`);
    expect(await keys("prod/models/digits/2/")).toEqual([]);
    // A hard crash cannot clean up: its model.onnx stays, but without a manifest nobody sees it.
    await put(
      moto.s3,
      BUCKET,
      "prod/models/digits/3/model.onnx",
      await readFile(`${BUNDLED_REPOSITORY}/digits/2/model.onnx`),
    );
    const s3 = source("prod/models");
    expect(await s3.listVersions("digits")).toEqual([1]);
    s3.destroy();
    const svc = await startService({ ...env("prod/models"), INFERGATE_VERSION_POLICY: "all" });
    try {
      expect([...svc.registry.versions("digits").keys()]).toEqual([1]);
      expect(
        (await svc.app.inject({ method: "GET", url: "/v2/models/digits/versions/3/ready" })).statusCode,
      ).toBe(404);
    } finally {
      await svc.close();
    }
  });

  it("refuses to publish over that leftover, naming its objects", async () => {
    const folder = join(dir, "repo/digits/3");
    await cp(`${BUNDLED_REPOSITORY}/digits/2`, folder, { recursive: true });
    const manifest = JSON.parse(await readFile(join(folder, "manifest.json"), "utf8"));
    await writeFile(join(folder, "manifest.json"), JSON.stringify({ ...manifest, version: 3 }));
    const err = await failure(publisher().publish(await checkSource(folder), `s3://${BUCKET}/prod/models`));
    expect(err.reason).toBe("incomplete");
    expect(err.message).toBe(
      `s3://${BUCKET}/prod/models/digits/3/ has objects but no manifest.json (an interrupted publish?): prod/models/digits/3/model.onnx; delete them, then publish again`,
    );
  });
});

describe("checkSource (before anything is sent)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "infergate-check-source-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const copy = async (to: string, edit?: (m: Record<string, unknown>) => Record<string, unknown>) => {
    const folder = join(dir, to);
    await cp(`${BUNDLED_REPOSITORY}/digits/2`, folder, { recursive: true });
    if (edit) {
      const m = JSON.parse(await readFile(join(folder, "manifest.json"), "utf8"));
      await writeFile(join(folder, "manifest.json"), JSON.stringify(edit(m)));
    }
    return folder;
  };
  const refused = async (p: Promise<CheckedSource>, message: RegExp) => {
    const err = await failure(p);
    expect(err).toBeInstanceOf(PublishError);
    expect(err.reason).toBe("invalid_source");
    expect(err.message).toMatch(message);
  };

  it("accepts a consistent folder and keeps the manifest's exact bytes", async () => {
    const checked = await checkSource(`${BUNDLED_REPOSITORY}/digits/2`);
    expect([checked.model, checked.version, checked.modelBytes]).toEqual(["digits", 2, 39708]);
    expect(checked.manifestBytes).toEqual(await readFile(`${BUNDLED_REPOSITORY}/digits/2/manifest.json`));
  });

  it("refuses an artifact whose sha256 is not the manifest's", async () => {
    const folder = await copy("tampered/digits/2");
    await writeFile(
      join(folder, "model.onnx"),
      Buffer.concat([await readFile(join(folder, "model.onnx")), Buffer.from([0])]),
    );
    await refused(
      checkSource(folder),
      /model\.onnx has sha256 [0-9a-f]{64}, but manifest\.json says af2da27d/,
    );
  });

  it("refuses a manifest that names another model or version", async () => {
    await refused(
      checkSource(await copy("moved/digits/5")),
      /manifest\.json says digits\/2, but the folder path says digits\/5/,
    );
    await refused(
      checkSource(`${BUNDLED_REPOSITORY}/digits/2`, { version: 3 }),
      /but --model\/--version say digits\/3/,
    );
    await refused(
      checkSource(await copy("named/digits/9", (m) => ({ ...m, name: "other" }))),
      /says other\/2/,
    );
    expect((await checkSource(await copy("anywhere/x"), { model: "digits", version: 2 })).version).toBe(2);
    await refused(checkSource(join(dir, "anywhere/x")), /folder name "x" is not a version number/);
  });

  it("refuses missing files and invalid manifests", async () => {
    const folder = await copy("nomodel/digits/2");
    await rm(join(folder, "model.onnx"));
    await refused(checkSource(folder), /no model\.onnx/);
    await refused(checkSource(join(dir, "nothing/digits/2")), /no manifest\.json/);
    await refused(
      checkSource(await copy("bad/digits/2", (m) => ({ ...m, sha256: "xyz" }))),
      /invalid manifest: sha256/,
    );
  });
});
