import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SERVER_ENTRY } from "./compile.js";
import { freePort, pinned, runToEnd } from "./processes.js";
import type { Round } from "./rounds.js";
import { benchModelDir } from "./setup.js";
import type { ColdStartRound } from "./tensor-report.js";

/**
 * Cold start of a ~100 MB artifact (issue #25): bench/models/make_models.py's big_mlp in the
 * local S3 API (the pinned moto_server the service's tests use, on the load generator's CPU).
 * Each round first downloads the artifact alone in a process pinned to the server's CPU (the
 * floor: bench/targets/s3-download.ts), then spawns infergate there with an empty model cache and
 * times spawn → /v2/health/ready answering 200 (polled every 10 ms), then reads the server's own
 * model load time from /metrics.
 */
export const COLD_MODEL = "big_mlp";
export const COLD_TITLE = "cold start: ~100 MB artifact (MLP 64→4096→6144→10) from the local S3 API (moto)";
const BUCKET = "infergate-bench";
/** The emulator's fake credentials, for the processes the bench starts (never written anywhere). */
const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "testing",
  AWS_SECRET_ACCESS_KEY: "testing",
  AWS_REGION: "us-east-1",
};
const READY_TIMEOUT_MS = 120_000;

export type ColdStartContext = {
  script: (entry: string) => string[];
  serverCpus: string | undefined;
  loadCpus: string | undefined;
  log: (line: string) => void;
};

export type LocalS3 = {
  artifactBytes: number;
  measureRound: () => Promise<ColdStartRound>;
  stop: () => Promise<void>;
};

async function startMoto(cpus: string | undefined): Promise<{ endpoint: string; child: ChildProcess }> {
  const venv = execFileSync("bash", ["scripts/venv.sh", "moto", "scripts/requirements/moto.txt"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  const port = await freePort();
  const [cmd, ...args] = pinned(cpus, [
    join(venv, "bin/moto_server"),
    "-H",
    "127.0.0.1",
    "-p",
    String(port),
  ]) as [string, ...string[]];
  const child = spawn(cmd, args, { stdio: "ignore", env: { ...process.env, ...CREDENTIALS } });
  const endpoint = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; ; await sleep(100)) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    if (
      await fetch(`${endpoint}/moto-api/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error("moto_server not answering after 30 s");
  }
  return { endpoint, child };
}

/** Sum of a histogram's `_sum` samples for the model in a /metrics scrape, in ms. */
function loadMsOf(exposition: string): number | undefined {
  const sum = `^infergate_model_load_duration_seconds_sum\\{[^}]*model="${COLD_MODEL}"[^}]*\\} (\\S+)$`;
  const m = new RegExp(sum, "m").exec(exposition);
  return m ? Number(m[1]) * 1000 : undefined;
}

export async function startLocalS3(ctx: ColdStartContext): Promise<LocalS3> {
  const moto = await startMoto(ctx.loadCpus);
  const dir = benchModelDir(COLD_MODEL);
  const artifactBytes = statSync(join(dir, "model.onnx")).size;
  const s3 = new S3Client({
    endpoint: moto.endpoint,
    forcePathStyle: true,
    region: CREDENTIALS.AWS_REGION,
    credentials: {
      accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const file of ["model.onnx", "manifest.json"])
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${COLD_MODEL}/1/${file}`,
        Body: readFileSync(join(dir, file)),
      }),
    );
  s3.destroy();
  const env = {
    ...CREDENTIALS,
    INFERGATE_S3_ENDPOINT: moto.endpoint,
    INFERGATE_S3_FORCE_PATH_STYLE: "true",
  };

  const measureRound = async (): Promise<ColdStartRound> => {
    const scratch = mkdtempSync(join(tmpdir(), "infergate-bench-cold-"));
    try {
      const [node, ...script] = pinned(ctx.serverCpus, [
        ...ctx.script("bench/targets/s3-download.ts"),
        JSON.stringify({
          endpoint: moto.endpoint,
          bucket: BUCKET,
          key: `${COLD_MODEL}/1/model.onnx`,
          file: join(scratch, "download.onnx"),
        }),
      ]) as [string, ...string[]];
      const download = JSON.parse(await runToEnd([node, ...script], env)) as { ms: number; bytes: number };
      if (download.bytes !== artifactBytes)
        throw new Error(`downloaded ${download.bytes} of ${artifactBytes} bytes`);
      const port = await freePort();
      const [cmd, ...args] = pinned(ctx.serverCpus, ctx.script(SERVER_ENTRY)) as [string, ...string[]];
      const t0 = performance.now();
      const child = spawn(cmd, args, {
        stdio: ["ignore", "ignore", "inherit"],
        env: {
          ...process.env,
          ...env,
          LOG_LEVEL: "warn",
          PORT: String(port),
          HOST: "127.0.0.1",
          INFERGATE_DOCS: "false",
          INFERGATE_WORKERS: "1",
          INFERGATE_MODEL_REPOSITORY: `s3://${BUCKET}`,
          INFERGATE_MODELS: COLD_MODEL,
          INFERGATE_MODEL_CACHE_DIR: join(scratch, "cache"),
        },
      });
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      try {
        const url = `http://127.0.0.1:${port}`;
        let readyMs: number | undefined;
        while (readyMs === undefined) {
          if (child.exitCode !== null)
            throw new Error(`infergate exited with ${child.exitCode} before ready`);
          if (performance.now() - t0 > READY_TIMEOUT_MS) throw new Error("infergate not ready after 120 s");
          const ok = await fetch(`${url}/v2/health/ready`).then(
            (r) => r.ok,
            () => false,
          );
          if (ok) readyMs = performance.now() - t0;
          else await sleep(10);
        }
        const loadMs = loadMsOf(await (await fetch(`${url}/metrics`)).text());
        ctx.log(
          `cold start: download ${download.ms.toFixed(0)} ms, ready after ${readyMs.toFixed(0)} ms (model load ${loadMs?.toFixed(0)} ms)`,
        );
        return { downloadMs: download.ms, readyMs, loadMs };
      } finally {
        child.kill("SIGTERM");
        await exited;
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  };
  const stop = async () => {
    const exited = new Promise<void>((resolve) => moto.child.once("exit", () => resolve()));
    moto.child.kill("SIGTERM");
    await exited;
  };
  return { artifactBytes, measureRound, stop };
}

/** Every round's cold start into `rounds`; resolves to the artifact's size (0 when it failed to start). */
export async function measureColdStarts(
  ctx: ColdStartContext,
  rounds: Round[],
  failures: string[],
): Promise<number> {
  let s3: LocalS3 | undefined;
  try {
    ctx.log(`cold start: local S3 (moto_server, CPU ${ctx.loadCpus ?? "any"}) with ${COLD_MODEL}`);
    s3 = await startLocalS3(ctx);
    for (const round of rounds) round.coldStart = await s3.measureRound();
    return s3.artifactBytes;
  } catch (err) {
    failures.push(`cold start: ${(err as Error).message}`);
    ctx.log(`cold start: FAILED: ${(err as Error).message}`);
    return s3?.artifactBytes ?? 0;
  } finally {
    await s3?.stop();
  }
}
