import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SERVER_ENTRY } from "./compile.js";
import { runLoad } from "./load.js";
import { freePort, pinned, runToEnd, type Started, startServer } from "./processes.js";
import type { RawPoint } from "./report.js";
import type { Round } from "./rounds.js";
import { benchModelDir, LARGE_REPOSITORY } from "./setup.js";
import { TENSOR_PROTOCOLS, type TensorProtocol, type TensorRound } from "./tensor-report.js";

/**
 * The large-tensor rows (issue #25): one request carries a batch of 8 ImageNet-sized images
 * ([8, 3, 224, 224] FP32, 4.8 MB of tensor) for bench/models/make_models.py's small_conv. One
 * infergate server (batching on, pinned) answers it over V2 JSON, V2 binary tensor data and gRPC;
 * each round measures raw ONNX Runtime on the same batch, then each protocol at one connection,
 * so time per request is latency and compares with raw ORT's time per run.
 */
export const TENSOR_MODEL = "small_conv";
export const TENSOR_SHAPE = [8, 3, 224, 224] as const;
export const TENSOR_TITLE =
  "large tensors: [8, 3, 224, 224] FP32 per request, small conv model (bench/models/make_models.py)";
/** The JSON body of this tensor is ~23 MB: the body limit (default 8 MiB) is raised for this server only. */
const BODY_LIMIT = 64 * 1024 * 1024;
const PROTO_FILE = "service/proto/open_inference_grpc.proto";
export const TENSOR_WORKER_ENTRY = "bench/lib/tensor-load-worker.ts";
const SINK_ENTRY = "bench/targets/node-sink-server.ts";

export type TensorContext = {
  script: (entry: string) => string[];
  serverCpus: string | undefined;
  loadCpus: string | undefined;
  serverEnv: Record<string, string>;
  out: string;
  seconds: number;
  rawSeconds: number;
  log: (line: string) => void;
};

/** Pixels 0..255 from a fixed LCG, scaled to [0, 1] as an image client sends them. */
function writeTensorFile(file: string): Float32Array {
  const n = TENSOR_SHAPE.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  let x = 2_463_534_242;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    values[i] = (x >>> 24) / 255;
  }
  writeFileSync(file, Buffer.from(values.buffer));
  return values;
}

/** Bytes of one request body of each protocol (gRPC: the tensor bytes of the message). */
function bodySizes(values: Float32Array): Record<(typeof TENSOR_PROTOCOLS)[number], number> {
  const tensor = { name: "images", shape: TENSOR_SHAPE, datatype: "FP32" };
  const json = JSON.stringify({ inputs: [{ ...tensor, data: Array.from(values) }] });
  const header = JSON.stringify({
    inputs: [{ ...tensor, parameters: { binary_data_size: values.byteLength } }],
  });
  return {
    json: Buffer.byteLength(json),
    binary: Buffer.byteLength(header) + values.byteLength,
    grpc: values.byteLength,
    floor: Buffer.byteLength(header) + values.byteLength,
  };
}

/** Both servers (stopped together) and one round's measurement. */
export type TensorServer = {
  stop: () => Promise<void>;
  measureRound: (round: number) => Promise<TensorRound>;
};

export async function startTensorServer(ctx: TensorContext): Promise<TensorServer> {
  const tensorFile = join(ctx.out, "tensor-8x3x224x224.f32");
  const bodyBytes = bodySizes(writeTensorFile(tensorFile));
  const grpcPort = await freePort();
  const server = await startServer(
    pinned(ctx.serverCpus, ctx.script(SERVER_ENTRY)),
    {
      INFERGATE_DOCS: "false",
      INFERGATE_WORKERS: "1",
      INFERGATE_BATCHING: "true",
      INFERGATE_MODEL_REPOSITORY: LARGE_REPOSITORY,
      INFERGATE_MODELS: TENSOR_MODEL,
      INFERGATE_BODY_LIMIT_BYTES: String(BODY_LIMIT),
      INFERGATE_GRPC_PORT: String(grpcPort),
      ...ctx.serverEnv,
    },
    "/v2/health/ready",
  );
  let sink: Started;
  try {
    sink = await startServer(pinned(ctx.serverCpus, ctx.script(SINK_ENTRY)), {}, "/");
  } catch (err) {
    await server.stop();
    throw err;
  }
  const stop = async () => {
    await Promise.all([server.stop(), sink.stop()]);
  };
  const urls: Record<TensorProtocol, string> = {
    json: `${server.url}/v2/models/${TENSOR_MODEL}/infer`,
    binary: `${server.url}/v2/models/${TENSOR_MODEL}/infer`,
    grpc: `127.0.0.1:${grpcPort}`,
    floor: `${sink.url}/`,
  };
  const load = (protocol: TensorProtocol, seconds: number, settleSeconds: number) =>
    runLoad({
      url: urls[protocol],
      connections: 1,
      seconds,
      settleSeconds,
      cpus: ctx.loadCpus,
      script: ctx.script,
      serverPid: protocol === "floor" ? sink.pid : server.pid,
      worker: {
        entry: TENSOR_WORKER_ENTRY,
        options: {
          // The floor is sent the binary body, to the bare server.
          protocol: protocol === "floor" ? "binary" : protocol,
          model: TENSOR_MODEL,
          input: "images",
          shape: TENSOR_SHAPE,
          tensorFile,
          protoFile: PROTO_FILE,
        },
      },
    });
  try {
    for (const p of TENSOR_PROTOCOLS) {
      const warm = await load(p, 1, 0.5);
      if (warm.ok === 0 || warm.non2xx > 0)
        throw new Error(`${p}: ${warm.non2xx} failed requests, ${warm.ok} answered`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const measureRound = async (round: number): Promise<TensorRound> => {
    const raw = JSON.parse(
      await runToEnd(
        pinned(ctx.serverCpus, [
          ...ctx.script("bench/targets/raw-ort.ts"),
          JSON.stringify({
            model: join(benchModelDir(TENSOR_MODEL), "model.onnx"),
            batches: [TENSOR_SHAPE[0]],
            seconds: ctx.rawSeconds,
            tensor: { file: tensorFile, shape: TENSOR_SHAPE.slice(1) },
          }),
        ]),
      ),
    ) as RawPoint[];
    const rows: TensorRound["rows"] = [];
    for (const protocol of TENSOR_PROTOCOLS) {
      const r = await load(protocol, ctx.seconds, 1);
      ctx.log(
        `round ${round} tensors/${protocol} c=1: ${r.rps.toFixed(1)} req/s (${(1000 / r.rps).toFixed(2)} ms per request; raw ORT ${raw[0]?.msPerRun.toFixed(2)} ms per run)`,
      );
      rows.push({ protocol, connections: 1, bodyBytes: bodyBytes[protocol], round, ...r });
    }
    return { rows, raw };
  };
  return { stop, measureRound };
}

/** Every round's tensor points into `rounds` (one server for all of them); a failure is reported, not thrown. */
export async function measureTensors(ctx: TensorContext, rounds: Round[], failures: string[]): Promise<void> {
  let t: TensorServer | undefined;
  try {
    ctx.log(
      `tensors: starting infergate for ${TENSOR_MODEL} (CPU ${ctx.serverCpus ?? "any"}), JSON, binary and gRPC`,
    );
    t = await startTensorServer(ctx);
    for (const [i, round] of rounds.entries()) round.tensors = await t.measureRound(i + 1);
  } catch (err) {
    failures.push(`tensors: ${(err as Error).message}`);
    ctx.log(`tensors: FAILED: ${(err as Error).message}`);
  } finally {
    await t?.stop();
  }
}
