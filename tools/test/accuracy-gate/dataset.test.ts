import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validationRows } from "../../../service/test/support/data.js";
import { BUNDLED_REPOSITORY } from "../../../service/test/support/paths.js";
import { readDataset } from "../../src/accuracy-gate/dataset.js";
import { EvaluationInputError } from "../../src/accuracy-gate/errors.js";
import { GATE_FIXTURES } from "../support/paths.js";

describe("readDataset", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "infergate-dataset-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it("reads the shipped validation split exactly", async () => {
    const ds = await readDataset(`${BUNDLED_REPOSITORY}/digits/validation.jsonl`);
    const rows = validationRows();
    expect(ds.format).toBe("jsonl");
    expect(ds.rows).toBe(360);
    expect(ds.width).toBe(64);
    expect(Array.from(ds.labels)).toEqual(rows.map((r) => r.label));
    expect(Array.from(ds.features.subarray(64 * 359))).toEqual(rows[359]?.features);
    expect(ds.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reads CSV with a header whose last column is label", async () => {
    const ds = await readDataset(`${GATE_FIXTURES}validation-head.csv`);
    const rows = validationRows().slice(0, 20);
    expect(ds.format).toBe("csv");
    expect([ds.rows, ds.width]).toEqual([20, 64]);
    expect(Array.from(ds.labels)).toEqual(rows.map((r) => r.label));
    expect(Array.from(ds.features.subarray(0, 64))).toEqual(rows[0]?.features);
  });

  it.each([
    [
      "bad.jsonl",
      '{"features":[1,2],"label":0}\n{"features":[1,2],"label":0\n',
      /bad\.jsonl:2: not valid JSON/,
    ],
    [
      "width.jsonl",
      '{"features":[1,2],"label":0}\n\n{"features":[1],"label":1}\n',
      /width\.jsonl:3: 1 features, but earlier rows have 2/,
    ],
    ["label.jsonl", '{"features":[1,2],"label":1.5}\n', /label 1\.5 is not a class index/],
    ["nolabel.jsonl", '{"features":[1,2]}\n', /label undefined is not a class index/],
    ["nan.jsonl", '{"features":[1,"x"],"label":0}\n', /features\[1\] is not a finite number/],
    ["shape.jsonl", "[1,2,3]\n", /expected \{"features"/],
    ["empty.jsonl", "\n\n", /has no rows/],
    ["header.csv", "a,b,c\n1,2,0\n", /last column must be "label"/],
    ["cell.csv", "a,b,label\n1,,0\n", /cell\.csv:2: column 2 "" is not a number/],
  ])("refuses %s with a message naming the file and line", async (name, text, message) => {
    const path = await file(name, text);
    await expect(readDataset(path)).rejects.toThrow(EvaluationInputError);
    await expect(readDataset(path)).rejects.toThrow(message);
  });

  it("refuses a missing file and a directory", async () => {
    await expect(readDataset(join(dir, "missing.jsonl"))).rejects.toThrow(/does not exist or is not a file/);
    await expect(readDataset(dir)).rejects.toThrow(/does not exist or is not a file/);
  });
});
