import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerMismatch,
  type ConverterModels,
  type JsonTensor,
  makeConverterModels,
} from "../../../service/test/runtime/converter-models.js";
import { type Moto, startMoto } from "../../../service/test/support/moto.js";
import { createBucket } from "../../../service/test/support/s3-repo.js";
import { startService } from "../../../service/test/support/service.js";
import { infergate } from "../support/cli.js";

/**
 * A folder made by `model init` is one `publish` accepts: the one-hot pipeline (with warm-up
 * samples) and one whose synthetic warm-up fails go to S3, and a server reading that bucket
 * serves them with ONNX Runtime's answers.
 */
const BUCKET = "infergate-model-init";
const TARGET = `s3://${BUCKET}/models`;

let models: ConverterModels;
let moto: Moto;
let dir: string;

beforeAll(async () => {
  [models, moto] = await Promise.all([makeConverterModels(), startMoto()]);
  await createBucket(moto.s3, BUCKET);
  dir = await mkdtemp(join(tmpdir(), "infergate-model-publish-"));
});
afterAll(async () => {
  await moto?.stop();
  await models?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe("model init → publish → serve from S3", () => {
  it("publishes init's folders and serves them with ONNX Runtime's answers", async () => {
    const repo = join(dir, "repository");
    const samples = join(dir, "samples.json");
    await writeFile(samples, JSON.stringify({ inputs: models.cases.onehot[0]?.inputs }));
    const base = ["--repository", repo, "--labels", models.labelsFile];
    for (const [version, more] of [
      [1, []],
      [2, ["--warmup-samples", samples]],
    ] as const) {
      const made = await infergate([
        "model",
        "init",
        models.model("onehot"),
        "--name",
        "onehot",
        "--version",
        String(version),
        ...base,
        ...more,
      ]);
      expect(made.code, made.stderr).toBe(0);
      const s3 = ["--endpoint", moto.endpoint, "--force-path-style"];
      const published = await infergate([
        "publish",
        "--source",
        join(repo, "onehot", String(version)),
        "--target",
        TARGET,
        ...s3,
      ]);
      expect(published.code, published.stderr).toBe(0);
      expect(published.stdout).toMatch(
        new RegExp(`^published onehot/${version} to ${TARGET}/onehot/${version}/`),
      );
      // Version 1 has no samples: publish says its synthetic warm-up fails, and ships it anyway.
      expect(published.stderr.includes("warning: synthetic warm-up failed")).toBe(version === 1);
    }
    const svc = await startService({
      INFERGATE_MODEL_REPOSITORY: TARGET,
      INFERGATE_S3_ENDPOINT: moto.endpoint,
      INFERGATE_S3_FORCE_PATH_STYLE: "true",
      INFERGATE_MODEL_CACHE_DIR: join(dir, "cache"),
      INFERGATE_VERSION_POLICY: "all",
      INFERGATE_POLL_INTERVAL_MS: "0",
    });
    try {
      expect((await svc.app.inject("/v2/health/ready")).statusCode).toBe(200);
      for (const version of [1, 2]) {
        for (const c of models.cases.onehot) {
          const res = await svc.app.inject({
            method: "POST",
            url: `/v2/models/onehot/versions/${version}/infer`,
            payload: { inputs: c.inputs },
          });
          expect(res.statusCode, res.body).toBe(200);
          expect(answerMismatch(c.outputs, (res.json() as { outputs: JsonTensor[] }).outputs)).toEqual([]);
        }
      }
    } finally {
      await svc.close();
    }
  });
});
