import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { MeasuredWindow } from "./measured-window.js";

/**
 * The load generator of the large-tensor rows (issue #25), spawned and pinned by load.ts like
 * load-worker.ts, with the same protocol: prints `start` when the measured window opens, then one
 * JSON line with the result. autocannon is made for small bodies; here each request carries one
 * batch of images (FP32, megabytes), so a plain closed loop sends it: `connections` loops, each
 * sending its next request when the previous answer has arrived in full.
 *
 * The same tensor (the raw FP32 bytes of `tensorFile`, shape `shape`) goes out in one of three
 * encodings, each built once before the first request:
 * - json: a V2 JSON body, the data as a flat array of numbers (what a client's tolist() sends);
 * - binary: the V2 binary tensor data extension (a JSON header, then the raw bytes);
 * - grpc: ModelInfer over gRPC with the bytes in raw_input_contents (what tritonclient sends).
 *
 * argv[2]: JSON {protocol, url (HTTP infer URL or host:port for gRPC), model, input, shape,
 * tensorFile, protoFile, connections, seconds, settleSeconds}
 */
type Opts = {
  protocol: "json" | "binary" | "grpc";
  url: string;
  model: string;
  input: string;
  shape: number[];
  tensorFile: string;
  protoFile: string;
  connections: number;
  seconds: number;
  settleSeconds: number;
};
const opts = JSON.parse(process.argv[2] as string) as Opts;
const bytes = readFileSync(opts.tensorFile);
const tensor = { name: opts.input, shape: opts.shape, datatype: "FP32" };

/** One request: resolves to whether it was answered with success. */
type Send = () => Promise<boolean>;

function httpSender(): Send {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  let body: Buffer;
  const headers: Record<string, string | number> = {};
  if (opts.protocol === "json") {
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    body = Buffer.from(JSON.stringify({ inputs: [{ ...tensor, data: Array.from(values) }] }));
    headers["content-type"] = "application/json";
  } else {
    const header = Buffer.from(
      JSON.stringify({ inputs: [{ ...tensor, parameters: { binary_data_size: bytes.byteLength } }] }),
    );
    body = Buffer.concat([header, bytes]);
    headers["content-type"] = "application/octet-stream";
    headers["inference-header-content-length"] = header.byteLength;
  }
  headers["content-length"] = body.byteLength;
  const url = new URL(opts.url);
  return () =>
    new Promise((resolve) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers, agent },
        (res) => {
          res.on("data", () => {});
          res.on("end", () => resolve(res.statusCode === 200));
          res.on("error", () => resolve(false));
        },
      );
      req.on("error", () => resolve(false));
      req.end(body);
    });
}

function grpcSender(): Send {
  const definition = loadSync(opts.protoFile, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  const inference = grpc.loadPackageDefinition(definition).inference as grpc.GrpcObject;
  const Client = inference.GRPCInferenceService as grpc.ServiceClientConstructor;
  const client = new Client(opts.url, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": -1,
    "grpc.max_send_message_length": -1,
  });
  const message = { model_name: opts.model, inputs: [tensor], raw_input_contents: [bytes] };
  const call = client.ModelInfer as unknown as (m: unknown, cb: (err: Error | null) => void) => void;
  return () => new Promise((resolve) => call.call(client, message, (err) => resolve(err === null)));
}

const send = opts.protocol === "grpc" ? grpcSender() : httpSender();
const latencies: number[] = [];
let failed = 0;
const measured = new MeasuredWindow(opts.settleSeconds);
const deadline = performance.now() + (opts.settleSeconds + opts.seconds) * 1000;

async function loop(): Promise<void> {
  while (performance.now() < deadline) {
    const t0 = performance.now();
    const ok = await send();
    if (!ok) failed++;
    else if (measured.measuring) latencies.push(performance.now() - t0);
  }
}
await Promise.all(Array.from({ length: opts.connections }, loop));
measured.report(Float64Array.from(latencies), { non2xx: failed, errors: 0, timeouts: 0 });
process.exit(0);
