import { describe, expect, it } from "vitest";
import { EvaluationInputError } from "../../src/accuracy-gate/errors.js";
import { parseVersionUri } from "../../src/accuracy-gate/model-uri.js";

describe("parseVersionUri", () => {
  it("splits a plain relative path against the working directory", () => {
    expect(parseVersionUri("models/repository/digits/2", "/work/x")).toEqual({
      uri: "models/repository/digits/2",
      repository: "file:///work/x/models/repository",
      model: "digits",
      version: 2,
    });
  });

  it("accepts file:// URIs and trailing slashes", () => {
    expect(parseVersionUri("file:///abs/repo/digits/12/")).toMatchObject({
      repository: "file:///abs/repo",
      model: "digits",
      version: 12,
    });
  });

  it("splits s3:// URIs into bucket/prefix root, model and version", () => {
    expect(parseVersionUri("s3://bucket/prod/models/digits/2")).toMatchObject({
      repository: "s3://bucket/prod/models",
      model: "digits",
      version: 2,
    });
    expect(parseVersionUri("s3://bucket/digits/3")).toMatchObject({ repository: "s3://bucket", version: 3 });
  });

  it.each([
    "models/repository/digits",
    "models/repository/digits/02",
    "s3://bucket/digits",
    "s3://bucket",
    "https://example.com/digits/2",
    "",
  ])("refuses %j, which does not name <model>/<version>", (uri) => {
    expect(() => parseVersionUri(uri, "/work")).toThrow(EvaluationInputError);
  });
});
