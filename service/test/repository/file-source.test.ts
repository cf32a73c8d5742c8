import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ModelLoadError } from "../../src/errors.js";
import { FileSource } from "../../src/repository/file-source.js";
import { BUNDLED_REPOSITORY } from "../support/paths.js";

const MANIFEST = "{}\n"; // listing only checks that manifest.json is a file, not what it says

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as ModelLoadError & NodeJS.ErrnoException,
  );

describe("FileSource (a model repository on local disk)", () => {
  let root: string;
  /** Writes `<root>/<path>` (creating its folders). */
  const file = async (path: string, text: string | Buffer = MANIFEST) => {
    const full = join(root, path);
    await mkdir(join(full, ".."), { recursive: true });
    await writeFile(full, text);
    return full;
  };
  /** A copy of the shipped digits version `v` (its real manifest and model.onnx). */
  const shipped = (v: number) =>
    cp(join(BUNDLED_REPOSITORY, "digits", String(v)), join(root, "digits", String(v)), { recursive: true });
  const shippedManifest = async (v: number) =>
    JSON.parse(await readFile(join(BUNDLED_REPOSITORY, "digits", String(v), "manifest.json"), "utf8")) as {
      sha256: string;
    };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "infergate-file-source-"));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("names its location as a file:// URI of the root", () => {
    expect(new FileSource(root).uri).toBe(`file://${root}`);
  });

  describe("listing", () => {
    it("lists, sorted, only the folders holding at least one version with a manifest", async () => {
      await file("zeta/1/manifest.json");
      await file("alpha/3/manifest.json");
      await file("notes.txt", "a stray file at the root");
      await mkdir(join(root, "empty"));
      await file("half/1/model.onnx", "published without its manifest (yet)");
      await file("pointer-only/tracks.json", '{"stable":1}');
      await file("bad-names/v1/manifest.json");
      expect(await new FileSource(root).listModels()).toEqual(["alpha", "zeta"]);
    });

    it("follows symbolic links to model and version folders (as volume mounts present them), not dangling ones", async () => {
      const elsewhere = await mkdtemp(join(tmpdir(), "infergate-file-source-target-"));
      try {
        await mkdir(join(elsewhere, "digits", "..2026_11_27", "4"), { recursive: true });
        await writeFile(join(elsewhere, "digits", "..2026_11_27", "4", "manifest.json"), MANIFEST);
        await mkdir(join(elsewhere, "linked-model", "1"), { recursive: true });
        await writeFile(join(elsewhere, "linked-model", "1", "manifest.json"), MANIFEST);
        await file("digits/2/manifest.json");
        await symlink(join(elsewhere, "digits", "..2026_11_27", "4"), join(root, "digits", "4"));
        await symlink(join(elsewhere, "nowhere"), join(root, "digits", "5"));
        await symlink(join(elsewhere, "linked-model"), join(root, "linked-model"));
        await symlink(join(elsewhere, "gone"), join(root, "dangling-model"));
        const source = new FileSource(root);
        expect(await source.listModels()).toEqual(["digits", "linked-model"]);
        expect(await source.listVersions("digits")).toEqual([2, 4]);
        expect((await source.readManifest("digits", 4)).text).toBe(MANIFEST);
      } finally {
        await rm(elsewhere, { recursive: true, force: true });
      }
    });

    it("counts only well-formed version folders (positive integer, no leading zero) with a manifest file", async () => {
      for (const v of ["2", "10", "1", "999999999"]) await file(`digits/${v}/manifest.json`);
      // Not versions: zero, leading zero, prefixes, decimals, signs, exponents, more than 9 digits.
      for (const name of ["0", "01", "v3", "4.0", "-5", "1e3", "1234567890", " 8"])
        await file(`digits/${name}/manifest.json`);
      await file("digits/5/model.onnx", "half-published: no manifest yet"); // invisible until its manifest lands
      await mkdir(join(root, "digits/6/manifest.json"), { recursive: true }); // a folder, not a file
      await file("digits/7", "a file named like a version");
      await file("digits/tracks.json", '{"stable":1}');
      await file("digits/validation.jsonl", "{}\n");
      // Numeric order, not string order (10 after 2).
      expect(await new FileSource(root).listVersions("digits")).toEqual([1, 2, 10, 999999999]);
    });

    it("has no versions for a model folder that is missing or is a file", async () => {
      await file("plain-file", "not a folder");
      const source = new FileSource(root);
      expect(await source.listVersions("nope")).toEqual([]);
      expect(await source.listVersions("plain-file")).toEqual([]);
    });

    it("lists the shipped repository as digits 1 and 2", async () => {
      const source = new FileSource(BUNDLED_REPOSITORY);
      expect(await source.listModels()).toEqual(["digits"]);
      expect(await source.listVersions("digits")).toEqual([1, 2]);
    });
  });

  describe("a missing repository", () => {
    it("fails listing and fingerprinting with ENOENT rather than looking empty", async () => {
      const missing = join(root, "does-not-exist");
      const source = new FileSource(missing);
      const listing = await errorOf(source.listModels());
      expect(listing.code).toBe("ENOENT");
      expect(listing.message).toBe(`ENOENT: no such file or directory, scandir '${missing}'`);
      expect((await errorOf(source.fingerprint())).code).toBe("ENOENT");
      // Per-model reads treat it as "nothing there".
      expect(await source.listVersions("digits")).toEqual([]);
      expect(await source.readPointer("digits")).toBeUndefined();
    });
  });

  describe("reading a version", () => {
    it("returns the manifest text byte for byte and where it came from", async () => {
      await shipped(1);
      const where = join(root, "digits", "1", "manifest.json");
      const got = await new FileSource(root).readManifest("digits", 1);
      expect(got).toEqual({ text: await readFile(where, "utf8"), where });
      expect(JSON.parse(got.text)).toMatchObject({ name: "digits", version: 1 });
    });

    it("refuses a version folder without a manifest as not_found, naming the path", async () => {
      await file("digits/3/model.onnx", "bytes");
      const source = new FileSource(root);
      for (const v of [3, 4]) {
        const path = join(root, "digits", String(v), "manifest.json");
        const err = await errorOf(source.readManifest("digits", v));
        expect(err).toBeInstanceOf(ModelLoadError);
        expect(err.reason).toBe("not_found");
        expect(err.message).toBe(
          `${path}: cannot read manifest (ENOENT: no such file or directory, open '${path}')`,
        );
      }
    });

    it("materializes in place: the verified model.onnx path, nothing copied", async () => {
      await shipped(2);
      const { sha256 } = await shippedManifest(2);
      const source = new FileSource(root);
      const path = await source.materialize("digits", 2, sha256, Number.POSITIVE_INFINITY);
      expect(path).toBe(join(root, "digits", "2", "model.onnx"));
      expect(
        createHash("sha256")
          .update(await readFile(path))
          .digest("hex"),
      ).toBe(sha256);
      expect((await readdir(join(root, "digits", "2"))).sort()).toEqual(["manifest.json", "model.onnx"]);
    });

    it("refuses bytes whose sha256 differs from the manifest's (digest_mismatch, both digests named)", async () => {
      await shipped(1);
      const { sha256: v1 } = await shippedManifest(1);
      const { sha256: v2 } = await shippedManifest(2);
      const path = join(root, "digits", "1", "model.onnx");
      const err = await errorOf(new FileSource(root).materialize("digits", 1, v2, Number.POSITIVE_INFINITY));
      expect(err).toBeInstanceOf(ModelLoadError);
      expect(err.reason).toBe("digest_mismatch");
      expect(err.message).toBe(
        `${path}: sha256 ${v1} does not match the manifest's ${v2}; refusing to load it`,
      );
    });

    it("refuses a version whose model.onnx is missing as not_found", async () => {
      await file("digits/4/manifest.json");
      const path = join(root, "digits", "4", "model.onnx");
      const err = await errorOf(
        new FileSource(root).materialize("digits", 4, "0".repeat(64), Number.POSITIVE_INFINITY),
      );
      expect(err).toBeInstanceOf(ModelLoadError);
      expect(err.reason).toBe("not_found");
      expect(err.message).toBe(
        `${path}: cannot read model (ENOENT: no such file or directory, stat '${path}')`,
      );
    });
  });

  describe("track pointer (tracks.json)", () => {
    it("reads nothing when the model has no pointer, the text and its path when it has one", async () => {
      await file("digits/1/manifest.json");
      const source = new FileSource(root);
      expect(await source.readPointer("digits")).toBeUndefined();
      const text = '{"stable":1,"candidate":2,"mode":"canary","weight":0.1}';
      const where = await file("digits/tracks.json", text);
      expect(await source.readPointer("digits")).toEqual({ text, where });
    });

    it("does not take an unreadable pointer for a missing one", async () => {
      await mkdir(join(root, "digits", "tracks.json"), { recursive: true });
      expect((await errorOf(new FileSource(root).readPointer("digits"))).code).toBe("EISDIR");
    });

    it("replaces the pointer with exactly the given text and leaves no temp file", async () => {
      await file("digits/1/manifest.json");
      await file("digits/tracks.json", '{"stable":1}');
      const source = new FileSource(root);
      const text = '{\n  "stable": 2,\n  "mode": "off",\n  "weight": 0\n}\n';
      await source.writePointer("digits", text);
      expect(await readFile(join(root, "digits", "tracks.json"), "utf8")).toBe(text);
      expect((await source.readPointer("digits"))?.text).toBe(text);
      expect((await readdir(join(root, "digits"))).sort()).toEqual(["1", "tracks.json"]);
    });

    it("does not create a model folder to write a pointer into", async () => {
      const err = await errorOf(new FileSource(root).writePointer("ghost", '{"stable":1}'));
      expect(err.code).toBe("ENOENT");
      expect(await readdir(root)).toEqual([]);
    });
  });

  describe("fingerprint", () => {
    it("of an empty repository is the sha256 of nothing", async () => {
      expect(await new FileSource(root).fingerprint()).toBe(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      );
    });

    it("is stable while nothing that matters changes", async () => {
      await shipped(1);
      const source = new FileSource(root);
      const before = await source.fingerprint();
      expect(before).toMatch(/^[0-9a-f]{64}$/);
      expect(await source.fingerprint()).toBe(before);
      expect(await new FileSource(root).fingerprint()).toBe(before);
      await file("README.md", "stray file");
      await file("digits/2/model.onnx", "half-published: no manifest yet");
      await file("digits/validation.jsonl", "{}\n");
      expect(await source.fingerprint()).toBe(before);
    });

    it("changes when a version appears or goes, a manifest is touched, or the pointer changes", async () => {
      await shipped(1);
      const source = new FileSource(root);
      const seen = new Set([await source.fingerprint()]);
      const changed = async (what: string) => {
        const now = await source.fingerprint();
        expect(seen.has(now), `fingerprint unchanged after: ${what}`).toBe(false);
        seen.add(now);
      };
      await shipped(2);
      await changed("version 2 published");
      await file("digits/tracks.json", '{"stable":1}');
      await changed("pointer written");
      await source.writePointer("digits", '{"stable":2}');
      await changed("pointer rewritten");
      const manifest = join(root, "digits", "2", "manifest.json");
      await utimes(manifest, new Date("2001-01-01T00:00:00Z"), new Date("2001-01-01T00:00:00Z"));
      await changed("manifest mtime changed (same size)");
      await rm(join(root, "digits", "1"), { recursive: true });
      await changed("version 1 removed");
      expect(seen.size).toBe(6);
    });
  });
});
