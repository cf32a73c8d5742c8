import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/process/config.js";
import { createSource } from "../../src/repository/create-source.js";
import { parseS3Uri } from "../../src/repository/s3-uri.js";

describe("createSource", () => {
  // A repository folder whose path needs escaping in a URL: space, '#', '%' and non-ASCII.
  const base = mkdtempSync(join(tmpdir(), "infergate-source-"));
  const root = join(base, "model repo #1 100% é");
  cpSync("models/repository/digits/1", join(root, "digits", "1"), { recursive: true });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it.each([
    ["an absolute path", root],
    ["a file:// URL", pathToFileURL(root).href],
  ])("opens a local repository given as %s, whatever characters its path has", async (_how, repository) => {
    const config = loadConfig({ INFERGATE_MODEL_REPOSITORY: repository });
    expect(config.repository).toBe(pathToFileURL(root).href);
    const source = createSource(config);
    expect(source.uri).toBe(pathToFileURL(root).href);
    expect(await source.listModels()).toEqual(["digits"]);
    expect(await source.listVersions("digits")).toEqual([1]);
  });

  it("refuses a repository that is neither file:// nor s3://", () => {
    expect(() => createSource({ ...loadConfig({}), repository: "http://example.org/models" })).toThrow(
      'unsupported model repository "http://example.org/models"',
    );
  });
});

describe("parseS3Uri", () => {
  it.each([
    ["s3://bucket", { bucket: "bucket", prefix: "" }],
    ["s3://bucket/", { bucket: "bucket", prefix: "" }],
    ["s3://bucket/models/prod/", { bucket: "bucket", prefix: "models/prod" }],
  ])("splits %s", (uri, parts) => {
    expect(parseS3Uri(uri)).toEqual(parts);
  });

  it("refuses what is not an s3 URI", () => {
    expect(() => parseS3Uri("file:///tmp")).toThrow('"file:///tmp" is not an s3://bucket/prefix URI');
  });
});
