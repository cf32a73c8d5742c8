import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "./support/data.js";
import { type Moto, startMoto } from "./support/moto.js";
import { waitFor } from "./support/net.js";
import { BUNDLED_REPOSITORY } from "./support/paths.js";
import { type ServerProcess, startServerProcess } from "./support/process.js";
import { createBucket, put, uploadVersion } from "./support/s3-repo.js";

const BUCKET = "reload-models";
const PREFIX = "models";

/** Sends requests on `lanes` concurrent loops until stopped; records every status and version. */
function traffic(url: string, lanes: number) {
  const body = JSON.stringify(inferBody(validationRows().slice(0, 4)));
  const seen: { status: number; version: string | null }[] = [];
  let running = true;
  const loops = Array.from({ length: lanes }, async () => {
    while (running) {
      try {
        const res = await fetch(`${url}/v2/models/digits/infer`, {
          method: "POST",
          body,
          headers: { "content-type": "application/json" },
        });
        await res.arrayBuffer();
        seen.push({ status: res.status, version: res.headers.get("x-model-version") });
      } catch {
        seen.push({ status: 0, version: null });
      }
    }
  });
  return {
    seen,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe("zero-downtime reload from S3 under load (real HTTP)", () => {
  let moto: Moto;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    moto = await startMoto();
    await createBucket(moto.s3, BUCKET);
    await uploadVersion(moto.s3, BUCKET, PREFIX, "digits", 1);
    server = await startServerProcess({
      INFERGATE_MODEL_REPOSITORY: `s3://${BUCKET}/${PREFIX}`,
      INFERGATE_S3_ENDPOINT: moto.endpoint,
      INFERGATE_S3_FORCE_PATH_STYLE: "true",
      INFERGATE_MODEL_CACHE_DIR: mkdtempSync(join(tmpdir(), "infergate-reload-")),
      INFERGATE_POLL_INTERVAL_MS: "300",
    });
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await moto?.stop();
  });

  it("picks up a newly published version with zero failed requests, and refuses a corrupt one while serving", async () => {
    const url = server?.url as string;
    const load = traffic(url, 4);
    try {
      await waitFor(async () => load.seen.length > 50, 20_000, "traffic on version 1");
      await uploadVersion(moto.s3, BUCKET, PREFIX, "digits", 2);
      await waitFor(
        async () => load.seen.slice(-5).every((r) => r.version === "2"),
        30_000,
        "version 2 to answer",
      );
      const switchedAt = load.seen.length;

      // A corrupt candidate: its manifest's sha256 does not match its bytes.
      const manifest = JSON.parse(readFileSync(join(BUNDLED_REPOSITORY, "digits/2/manifest.json"), "utf8"));
      await put(moto.s3, BUCKET, `${PREFIX}/digits/3/model.onnx`, Buffer.from("not an onnx model"));
      await put(
        moto.s3,
        BUCKET,
        `${PREFIX}/digits/3/manifest.json`,
        JSON.stringify({ ...manifest, version: 3 }),
      );
      await waitFor(
        async () =>
          /infergate_model_load_failures_total\{model="digits",version="3",reason="digest_mismatch"\} [1-9]/.test(
            await (await fetch(`${url}/metrics`)).text(),
          ),
        30_000,
        "the corrupt version to be refused",
      );
      const refusedAt = load.seen.length;
      await waitFor(async () => load.seen.length > refusedAt + 50, 20_000, "traffic after the refusal");
      await load.stop();

      const failed = load.seen.filter((r) => r.status !== 200);
      expect(failed, JSON.stringify(failed.slice(0, 3)) + JSON.stringify(load.seen.slice(0, 3))).toEqual([]);
      expect(new Set(load.seen.map((r) => r.version))).toEqual(new Set(["1", "2"]));
      expect(load.seen.slice(switchedAt).every((r) => r.version === "2")).toBe(true);
      expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
      console.info(
        `reload under load: ${load.seen.length} requests, 0 failed; v1→v2 switch after request ${switchedAt}`,
      );
    } finally {
      await load.stop();
    }
  }, 120_000);
});
