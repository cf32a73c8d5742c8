import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ModelLoadError } from "../../src/errors.js";
import { fetchToCache, sha256File } from "../../src/repository/cache.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("fetchToCache", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "infergate-cache-test-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("downloads, verifies and renames into place; reuses the cache next time", async () => {
    const bytes = Buffer.from("model bytes");
    const dest = join(dir, "m", "1", "x.onnx");
    let opened = 0;
    const open = async () => {
      opened++;
      return Readable.from([bytes]);
    };
    expect(await fetchToCache(open, dest, sha(bytes), "s3://b/k")).toBe(true);
    expect(await readFile(dest)).toEqual(bytes);
    expect(await fetchToCache(open, dest, sha(bytes), "s3://b/k")).toBe(false);
    expect(opened).toBe(1);
    expect(await sha256File(dest)).toBe(sha(bytes));
  });

  it("refuses bytes whose digest does not match and leaves nothing behind", async () => {
    const dest = join(dir, "m", "1", "x.onnx");
    const err = await fetchToCache(
      async () => Readable.from([Buffer.from("tampered")]),
      dest,
      sha(Buffer.from("real")),
      "s3://b/k",
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).reason).toBe("digest_mismatch");
    expect((err as Error).message).toContain("s3://b/k");
    expect(await readdir(join(dir, "m", "1"))).toEqual([]);
  });

  it("replaces a corrupt cached file instead of trusting it", async () => {
    const good = Buffer.from("good");
    const dest = join(dir, "x.onnx");
    await fetchToCache(async () => Readable.from([Buffer.from("good")]), dest, sha(good), "k");
    await rm(dest);
    await fetchToCache(async () => Readable.from([good]), dest, sha(good), "k");
    expect(await readFile(dest, "utf8")).toBe("good");
  });

  it("cleans up the partial file when the stream fails midway", async () => {
    const dest = join(dir, "x.onnx");
    const failing = new Readable({
      read() {
        this.push(Buffer.from("part"));
        this.destroy(new Error("connection reset"));
      },
    });
    await expect(fetchToCache(async () => failing, dest, sha(Buffer.from("x")), "k")).rejects.toThrow(
      "connection reset",
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
