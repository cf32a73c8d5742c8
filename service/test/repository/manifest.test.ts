import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ModelLoadError } from "../../src/errors.js";
import { checkManifestLocation, parseManifest } from "../../src/repository/manifest.js";
import { BUNDLED_REPOSITORY } from "../support/paths.js";

const shipped = readFileSync(`${BUNDLED_REPOSITORY}/digits/2/manifest.json`, "utf8");

describe("manifest", () => {
  it("parses the shipped manifest", () => {
    const m = parseManifest(shipped, "digits/2");
    expect(m.name).toBe("digits");
    expect(m.version).toBe(2);
    expect(m.inputs).toEqual([{ name: "input", datatype: "FP32", shape: [-1, 64] }]);
    expect(m.labels).toHaveLength(10);
  });

  it("names the file and the field when invalid", () => {
    const bad = JSON.stringify({ ...JSON.parse(shipped), sha256: "XYZ" });
    expect(() => parseManifest(bad, "s3://b/digits/2/manifest.json")).toThrow(
      /s3:\/\/b\/digits\/2\/manifest.json: invalid manifest: sha256/,
    );
    expect(() => parseManifest("{", "m.json")).toThrow(/m.json: not valid JSON/);
  });

  it.each(["..", ".", ".hidden", "a/b", "", "-x"])(
    "refuses the name %j: a name is one plain path segment",
    (name) => {
      const bad = JSON.stringify({ ...JSON.parse(shipped), name });
      expect(() => parseManifest(bad, "m.json")).toThrow(/m.json: invalid manifest: name/);
    },
  );

  it("rejects unknown datatypes and malformed tensor specs", () => {
    const m = JSON.parse(shipped);
    m.inputs[0].datatype = "FP16X";
    expect(() => parseManifest(JSON.stringify(m), "x")).toThrow(/inputs.0.datatype/);
    m.inputs[0] = { name: "input", datatype: "FP32", shape: [-2] };
    expect(() => parseManifest(JSON.stringify(m), "x")).toThrow(/inputs.0.shape/);
  });

  it("takes an optional task and warm-up samples (one request's inputs each, at most 16)", () => {
    const m = JSON.parse(shipped);
    const sample = {
      inputs: [{ name: "input", datatype: "FP32", shape: [1, 64], data: new Array(64).fill(0) }],
    };
    const parsed = parseManifest(JSON.stringify({ ...m, task: "classification", warmup: [sample] }), "x");
    expect(parsed.task).toBe("classification");
    expect(parsed.warmup).toEqual([sample]);
    expect(() => parseManifest(JSON.stringify({ ...m, task: "ranking" }), "x")).toThrow(
      /x: invalid manifest: task/,
    );
    expect(() => parseManifest(JSON.stringify({ ...m, warmup: [] }), "x")).toThrow(/warmup/);
    expect(() => parseManifest(JSON.stringify({ ...m, warmup: new Array(17).fill(sample) }), "x")).toThrow(
      /warmup/,
    );
    const extraKey = { inputs: [{ ...sample.inputs[0], parameters: {} }] };
    expect(() => parseManifest(JSON.stringify({ ...m, warmup: [extraKey] }), "x")).toThrow(
      /warmup.0.inputs.0/,
    );
  });

  it("must describe the folder it sits in", () => {
    const m = parseManifest(shipped, "x");
    expect(() => checkManifestLocation(m, "digits", 2, "x")).not.toThrow();
    expect(() => checkManifestLocation(m, "digits", 3, "x")).toThrow(ModelLoadError);
    expect(() => checkManifestLocation(m, "other", 2, "x")).toThrow(/sits at other\/2/);
  });
});
