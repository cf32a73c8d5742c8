import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "../../../service/test/support/data.js";
import { type Moto, startMoto } from "../../../service/test/support/moto.js";
import { BUNDLED_REPOSITORY } from "../../../service/test/support/paths.js";
import { createBucket } from "../../../service/test/support/s3-repo.js";
import { startService } from "../../../service/test/support/service.js";
import type { GateReport } from "../../src/accuracy-gate/report.js";
import { runCli } from "../support/cli.js";

const BUCKET = "infergate-cli-publish";
const TARGET = `s3://${BUCKET}/prod/models`;
const DATA = "models/repository/digits/validation.jsonl";
const BATCH = 256; // the gate's default --batch-size

type Prediction = { row: number; label: number; predicted: number; probabilities: number[] };

describe("publish CLI → S3 → server, and the gate on s3:// URIs", () => {
  let moto: Moto;
  let dir: string;
  const s3Flags = () => ["--endpoint", moto.endpoint, "--force-path-style"];
  const publish = (args: string[]) => runCli("publish", [...args, ...s3Flags()]);
  const keys = async (prefix: string) =>
    ((await moto.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map(
      (o) => o.Key,
    );
  const versionCopy = async (name: string, version: number, model?: Buffer) => {
    const folder = join(dir, name, "digits", String(version));
    await cp(`${BUNDLED_REPOSITORY}/digits/2`, folder, { recursive: true });
    const manifest = JSON.parse(await readFile(join(folder, "manifest.json"), "utf8"));
    await writeFile(join(folder, "manifest.json"), JSON.stringify({ ...manifest, version }));
    if (model) await writeFile(join(folder, "model.onnx"), model);
    return folder;
  };

  beforeAll(async () => {
    moto = await startMoto();
    dir = await mkdtemp(join(tmpdir(), "infergate-cli-publish-"));
    await createBucket(moto.s3, BUCKET);
  });
  afterAll(async () => {
    await moto?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("publishes version folders and reports progress", async () => {
    for (const version of [1, 2]) {
      const r = await publish(["--source", `models/repository/digits/${version}`, "--target", TARGET]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(
          `^published digits/${version} to ${TARGET}/digits/${version}/ \\(\\d+ bytes, sha256 [0-9a-f]{64}\\)\\n$`,
        ),
      );
      expect(r.stderr).toContain(`model.onnx: `);
      expect(r.stderr).toContain(`writing ${TARGET}/digits/${version}/manifest.json`);
    }
    expect(await keys("prod/models/")).toEqual([
      "prod/models/digits/1/manifest.json",
      "prod/models/digits/1/model.onnx",
      "prod/models/digits/2/manifest.json",
      "prod/models/digits/2/model.onnx",
    ]);
  });

  it("refuses to publish an existing version (exit 1) and names it", async () => {
    const r = await publish(["--source", "models/repository/digits/2", "--target", TARGET]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `infergate publish: error: ${TARGET}/digits/2/ already exists; versions are immutable`,
    );
  });

  it("refuses a sha256 mismatch or a model ONNX Runtime cannot load before any upload (exit 2)", async () => {
    const original = await readFile(`${BUNDLED_REPOSITORY}/digits/2/model.onnx`);
    const tampered = await versionCopy("tampered", 5, Buffer.concat([original, Buffer.from([0])]));
    const r = await publish(["--source", tampered, "--target", TARGET]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model\.onnx has sha256 [0-9a-f]{64}, but manifest\.json says af2da27d/);
    // Garbage bytes with a matching digest: only loading the model can tell.
    const garbage = await versionCopy("garbage", 6, Buffer.from("not an onnx model"));
    const manifestPath = join(garbage, "manifest.json");
    const { createHash } = await import("node:crypto");
    const sha256 = createHash("sha256").update("not an onnx model").digest("hex");
    await writeFile(
      manifestPath,
      JSON.stringify({ ...JSON.parse(await readFile(manifestPath, "utf8")), sha256 }),
    );
    const g = await publish(["--source", garbage, "--target", TARGET]);
    expect(g.code).toBe(2);
    expect(g.stderr).toContain("ONNX Runtime cannot load it");
    expect(await keys("prod/models/digits/5/")).toEqual([]);
    expect(await keys("prod/models/digits/6/")).toEqual([]);
  });

  it("exits 2 on usage errors", async () => {
    const r = await runCli("publish", ["--source", "models/repository/digits/2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--target is required");
    const t = await runCli("publish", ["--source", "models/repository/digits/2", "--target", "/tmp/repo"]);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('--target "/tmp/repo" is not s3://bucket[/prefix]');
  });

  it("serves the published versions with exactly the gate's offline predictions on the whole validation split", async () => {
    const gateEnv = { INFERGATE_MODEL_CACHE_DIR: join(dir, "gate-cache") };
    const gate = async (candidate: number, baseline: number) => {
      const out = join(dir, `predictions-${candidate}.jsonl`);
      const json = join(dir, `report-${candidate}.json`);
      const r = await runCli(
        "gate accuracy",
        [
          ...["--candidate", `${TARGET}/digits/${candidate}`, "--baseline", `${TARGET}/digits/${baseline}`],
          ...["--data", DATA, "--predictions-out", out, "--json-out", json, "--quiet", ...s3Flags()],
        ],
        gateEnv,
      );
      const predictions = (await readFile(out, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Prediction);
      return {
        code: r.code,
        stderr: r.stderr,
        predictions,
        report: JSON.parse(await readFile(json, "utf8")) as GateReport,
      };
    };
    const pass = await gate(2, 1);
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.report.candidate.metrics.accuracy).toBe(0.975);
    const regression = await gate(1, 2);
    expect(regression.code, regression.stderr).toBe(1);
    expect(regression.report.deltas?.accuracy_drop).toBe(0.016667);

    const svc = await startService({
      INFERGATE_MODEL_REPOSITORY: TARGET,
      INFERGATE_S3_ENDPOINT: moto.endpoint,
      INFERGATE_S3_FORCE_PATH_STYLE: "true",
      INFERGATE_MODEL_CACHE_DIR: join(dir, "server-cache"),
      INFERGATE_VERSION_POLICY: "all",
      INFERGATE_MAX_ROWS_PER_REQUEST: String(BATCH), // the gate's batches, as requests
    });
    try {
      const rows = validationRows();
      for (const [version, offline] of [
        [2, pass.predictions],
        [1, regression.predictions],
      ] as const) {
        const labels: number[] = [];
        const probabilities: number[][] = [];
        // Requests carry the gate's batches, one at a time: the model then sees the same input
        // tensors (v1's probabilities differ in the last bits between 1-row and n-row runs).
        for (let start = 0; start < rows.length; start += BATCH) {
          const res = await svc.app.inject({
            method: "POST",
            url: `/v2/models/digits/versions/${version}/infer`,
            payload: inferBody(rows.slice(start, start + BATCH)),
          });
          expect(res.statusCode, res.body).toBe(200);
          const outputs = res.json().outputs as { name: string; data: number[] }[];
          const label = outputs.find((o) => o.name === "label")?.data ?? [];
          const probs = outputs.find((o) => o.name === "probabilities")?.data ?? [];
          labels.push(...label);
          for (let i = 0; i < label.length; i++) probabilities.push(probs.slice(i * 10, (i + 1) * 10));
        }
        expect(offline).toHaveLength(360);
        expect(labels).toEqual(offline.map((p) => p.predicted));
        expect(probabilities).toEqual(offline.map((p) => p.probabilities));
        expect(offline.map((p) => p.label)).toEqual(rows.map((r) => r.label));
      }
    } finally {
      await svc.close();
    }
  });
});
