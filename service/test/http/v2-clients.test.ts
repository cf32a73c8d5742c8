import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/net.js";
import { BUNDLED_REPOSITORY, FIXTURES } from "../support/paths.js";
import { type ServerProcess, startServerProcess } from "../support/process.js";
import { runClientScript, v2ClientsPython } from "../support/v2-clients.js";

/** What a client saw in binary mode (binary tensor data extension), next to its JSON-mode answer. */
type BinarySeen = { id: string; labels: number[]; probabilities_equal: boolean };

type Seen = {
  truth: number[];
  triton: {
    live: boolean;
    ready: boolean;
    model_ready: boolean;
    server: string;
    repository_index: unknown[];
    top3: string[][];
    id: string;
    version: string;
    labels: number[];
    prob_shape: number[];
    probabilities: number[][];
    binary: BinarySeen & { outputs: { binary_data_size?: number }[] };
    compressed: Record<
      string,
      { binary: boolean; answer_encoding: string | null; probabilities_equal: boolean }
    >;
  };
  kserve: {
    live: boolean;
    ready: boolean;
    model_ready: boolean;
    id: string;
    labels: number[];
    prob_shape: number[];
    binary: BinarySeen & { content_type: string; json_length: number };
  };
  kserve_grpc: {
    live: boolean;
    ready: boolean;
    model_ready: boolean;
    id: string;
    labels: number[];
    probabilities_equal: boolean;
  };
};

/** What tritonclient.grpc saw (a process of its own: see v2_clients.py). */
type TritonGrpcSeen = {
  live: boolean;
  ready: boolean;
  model_ready: boolean;
  server: string;
  model_inputs: unknown[];
  id: string;
  version: string;
  labels: number[];
  probabilities: number[][];
  gzip_probabilities_equal: boolean;
};

/**
 * tritonclient and the kserve Python client, pinned in a venv, against the real server: JSON
 * mode, binary mode (tritonclient's defaults) and gRPC, whose answers must equal the JSON ones.
 */
describe("existing V2 clients work unmodified", () => {
  let server: ServerProcess | undefined;
  let python = "";
  let grpcTarget = "";
  let seen: Seen;
  beforeAll(async () => {
    python = v2ClientsPython();
    grpcTarget = `127.0.0.1:${await freePort()}`;
    server = await startServerProcess({ INFERGATE_GRPC_PORT: grpcTarget.split(":")[1] as string });
  }, 600_000);
  afterAll(async () => {
    await server?.stop();
  });

  const run = (args: string[]) => runClientScript(python, "v2_clients.py", args);

  it("health, metadata and inference through tritonclient.http and kserve.InferenceRESTClient", () => {
    seen = run([server?.url ?? "", `${BUNDLED_REPOSITORY}/digits/validation.jsonl`, grpcTarget]) as Seen;
    expect(seen.triton).toMatchObject({
      live: true,
      ready: true,
      model_ready: true,
      server: "infergate",
      repository_index: [{ name: "digits", version: "2", state: "READY", reason: "" }],
      id: "triton-1",
      version: "2",
      prob_shape: [8, 10],
    });
    expect(seen.kserve).toMatchObject({
      live: true,
      ready: true,
      model_ready: true,
      id: "kserve-1",
      prob_shape: [8, 10],
    });
    expect(seen.triton.labels).toEqual(seen.kserve.labels);
    // Binary tensor data both ways: the answers sized in bytes, the same labels and probabilities.
    expect(seen.triton.binary).toMatchObject({
      id: "triton-2",
      labels: seen.triton.labels,
      probabilities_equal: true,
    });
    expect(seen.triton.binary.outputs).toEqual([{ binary_data_size: 64 }, { binary_data_size: 320 }]);
    expect(seen.kserve.binary).toMatchObject({
      id: "kserve-2",
      labels: seen.triton.labels,
      probabilities_equal: true,
      content_type: "application/octet-stream",
    });
    expect(seen.kserve.binary.json_length).toBeGreaterThan(0);
    // classification (class_count=3): per row "value:index:label", the first one the model's label
    expect(seen.triton.top3).toHaveLength(8);
    seen.triton.top3.forEach((row, r) => {
      expect(row).toHaveLength(3);
      const [value, index, label] = (row[0] as string).split(":");
      expect(Number(index)).toBe(seen.triton.labels[r]);
      expect(label).toBe(index);
      expect(Number(value)).toBeCloseTo(Math.max(...(seen.triton.probabilities[r] as number[])), 5);
    });
    // Compressed both ways (tritonclient's request_/response_compression_algorithm): same answers.
    expect(seen.triton.compressed).toEqual({
      gzip: { binary: false, answer_encoding: "gzip", probabilities_equal: true },
      deflate: { binary: true, answer_encoding: "deflate", probabilities_equal: true },
    });
    const correct = seen.triton.labels.filter((l, i) => l === seen.truth[i]).length;
    expect(correct).toBeGreaterThanOrEqual(7);
  });
  it("the same over gRPC: tritonclient.grpc (raw contents) and kserve.InferenceGRPCClient (typed contents)", () => {
    const triton = run([
      "--triton-grpc",
      grpcTarget,
      `${BUNDLED_REPOSITORY}/digits/validation.jsonl`,
    ]) as TritonGrpcSeen;
    expect(triton).toMatchObject({
      live: true,
      ready: true,
      model_ready: true,
      server: "infergate",
      id: "triton-grpc-1",
      version: "2",
      labels: seen.triton.labels,
      gzip_probabilities_equal: true, // a gzip-compressed request message (compression_algorithm)
    });
    expect(triton.model_inputs).toEqual([{ name: "input", datatype: "FP32", shape: ["-1", "64"] }]);
    expect(triton.probabilities).toEqual(seen.triton.probabilities);
    expect(seen.kserve_grpc).toEqual({
      live: true,
      ready: true,
      model_ready: true,
      id: "kserve-grpc-1",
      labels: seen.triton.labels,
      probabilities_equal: true,
    });
  });
});

describe("tritonclient with FP16 tensors (numpy float16)", () => {
  let server: ServerProcess | undefined;
  let grpcTarget = "";
  beforeAll(async () => {
    grpcTarget = `127.0.0.1:${await freePort()}`;
    server = await startServerProcess({
      INFERGATE_MODEL_REPOSITORY: `file://${FIXTURES}models/fp16`,
      INFERGATE_GRPC_PORT: grpcTarget.split(":")[1] as string,
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("HTTP binary and JSON modes and gRPC answer the model's FP16 bits", () => {
    const seen = runClientScript(v2ClientsPython(), "v2_clients.py", [
      "--fp16",
      server?.url ?? "",
      grpcTarget,
    ]);
    // y = x * [0.5, 2, -1, 1024] in FP16 (numpy): 65504 * 2 is inf, 1e-7 the subnormal 2^-23
    const bits = [0x3800, 0x4400, 0xc200, 0x6c00, 0x2a66, 0x7c00, 0x0000, 0x0800];
    expect(seen).toEqual({
      http_binary: { dtype: "float16", bits },
      // JSON has no Infinity: the server writes null, which tritonclient reads as NaN (FP32 alike)
      http_json: { dtype: "float16", bits: bits.map((b) => (b === 0x7c00 ? 0x7e00 : b)) },
      grpc: { dtype: "float16", bits },
    });
  });
});
