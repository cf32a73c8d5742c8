import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenGrpc } from "../../src/grpc/server.js";
import { tensorBytes } from "../../src/protocol/binary-tensor.js";
import { inferBody, validationRows } from "../support/data.js";
import { grpcClient } from "../support/grpc.js";
import { startService } from "../support/service.js";

type Svc = Awaited<ReturnType<typeof startService>>;
const rows = validationRows().slice(0, 8);
const features = rows.flatMap((r) => r.features);

const fp32Input = { name: "input", datatype: "FP32", shape: [rows.length, 64] };
const labelsOf = (response: Record<string, unknown>) => {
  const outputs = response.outputs as { name: string }[];
  const raw = (response.raw_output_contents as Buffer[])[
    outputs.findIndex((o) => o.name === "label")
  ] as Buffer;
  return Array.from({ length: raw.length / 8 }, (_, i) => Number(raw.readBigInt64LE(8 * i)));
};

describe("gRPC server (Open Inference Protocol) over the bundled model", () => {
  let svc: Svc;
  let rpc: ReturnType<typeof grpcClient>;
  let target = "";
  let jsonLabels: number[];
  beforeAll(async () => {
    svc = await startService({
      INFERGATE_GRPC_PORT: "0",
      INFERGATE_VERSION_POLICY: "all",
      INFERGATE_BODY_LIMIT_BYTES: "65536",
      INFERGATE_TRACKS: '{"digits":{"stable":2,"candidate":1,"mode":"canary","weight":0.5}}',
    });
    const port = await listenGrpc(svc.grpc as grpc.Server, "127.0.0.1", 0);
    target = `127.0.0.1:${port}`;
    rpc = grpcClient(target);
    const answer = await svc.app.inject({
      method: "POST",
      url: "/v2/models/digits/versions/2/infer",
      payload: inferBody(rows),
    });
    jsonLabels = answer.json().outputs.find((o: { name: string }) => o.name === "label").data;
  });
  afterAll(async () => {
    rpc?.close();
    await svc?.close();
  });

  it("answers health and metadata like the REST API", async () => {
    expect(await rpc.call("ServerLive")({})).toEqual({ live: true });
    expect(await rpc.call("ServerReady")({})).toEqual({ ready: true });
    expect(await rpc.call("ModelReady")({ name: "digits", version: "1" })).toEqual({ ready: true });
    const server = await rpc.call("ServerMetadata")({});
    expect(server).toMatchObject({
      name: "infergate",
      extensions: expect.arrayContaining(["binary_tensor_data"]),
    });
    const model = await rpc.call("ModelMetadata")({ name: "digits", version: "" });
    expect(model).toMatchObject({ name: "digits", versions: ["2", "1"], platform: "onnxruntime_onnx" });
    expect(model.inputs).toEqual([{ name: "input", datatype: "FP32", shape: ["-1", "64"] }]);
  });

  it("infers from typed contents and from raw contents, with the answers of the REST API", async () => {
    const typed = await rpc.call("ModelInfer")({
      model_name: "digits",
      model_version: "2",
      id: "g-1",
      inputs: [{ ...fp32Input, contents: { fp32_contents: features } }],
    });
    expect(typed).toMatchObject({ model_name: "digits", model_version: "2", id: "g-1" });
    expect(labelsOf(typed)).toEqual(jsonLabels);
    const raw = await rpc.call("ModelInfer")({
      model_name: "digits",
      model_version: "2",
      inputs: [fp32Input],
      outputs: [{ name: "label" }],
      raw_input_contents: [Buffer.from(tensorBytes("FP32", new Float32Array(features)))],
    });
    expect((raw.outputs as { name: string }[]).map((o) => o.name)).toEqual(["label"]);
    expect(labelsOf(raw)).toEqual(jsonLabels);
  });

  it("routes by the routing-key metadata like the REST header: sticky per key, both tracks used", async () => {
    const versionFor = async (key: string) => {
      const metadata = new grpc.Metadata();
      metadata.set("x-routing-key", key);
      const response = await rpc.call("ModelInfer")(
        {
          model_name: "digits",
          inputs: [{ ...fp32Input, shape: [1, 64], contents: { fp32_contents: features.slice(0, 64) } }],
        },
        metadata,
      );
      return response.model_version;
    };
    const keys = Array.from({ length: 24 }, (_, i) => `user-${i}`);
    const first = await Promise.all(keys.map(versionFor));
    expect(await Promise.all(keys.map(versionFor))).toEqual(first);
    expect(new Set(first)).toEqual(new Set(["1", "2"]));
  });

  it.each([
    [
      "an unknown model",
      { model_name: "nope", inputs: [] },
      grpc.status.NOT_FOUND,
      'model "nope" is not served here',
    ],
    [
      "an unknown version",
      { model_name: "digits", model_version: "9", inputs: [] },
      grpc.status.NOT_FOUND,
      /no version 9/,
    ],
    [
      "a malformed version",
      { model_name: "digits", model_version: "x", inputs: [] },
      grpc.status.INVALID_ARGUMENT,
      /"x" is not a model version/,
    ],
    ["no model name", { inputs: [] }, grpc.status.INVALID_ARGUMENT, "model_name: required"],
    [
      "an input the model lacks",
      { model_name: "digits", inputs: [{ ...fp32Input, name: "x", contents: { fp32_contents: features } }] },
      grpc.status.INVALID_ARGUMENT,
      /has no input named "x"/,
    ],
    [
      "a message over the body limit",
      { model_name: "digits", inputs: [fp32Input], raw_input_contents: [Buffer.alloc(70_000)] },
      grpc.status.RESOURCE_EXHAUSTED,
      /larger than max/,
    ],
  ])(
    "ends a call with %s with the matching status and a clear message",
    async (_what, request, code, details) => {
      const failure = rpc.call("ModelInfer")(request);
      await expect(failure).rejects.toMatchObject({ code });
      await expect(failure).rejects.toMatchObject({ details: expect.stringMatching(details) });
    },
  );

  it("answers the classification extension's top classes as BYTES (the int64 parameter classification)", async () => {
    const response = await rpc.call("ModelInfer")({
      model_name: "digits",
      model_version: "2",
      inputs: [{ ...fp32Input, contents: { fp32_contents: features } }],
      outputs: [{ name: "probabilities", parameters: { classification: { int64_param: "2" } } }],
    });
    expect(response.outputs).toMatchObject([{ name: "probabilities", datatype: "BYTES", shape: ["8", "2"] }]);
    const raw = (response.raw_output_contents as Buffer[])[0] as Buffer;
    const first = raw.subarray(4, 4 + raw.readUInt32LE(0)).toString();
    expect(first).toMatch(new RegExp(`^\\d\\.\\d{6}:${jsonLabels[0]}:${jsonLabels[0]}$`));
    await expect(
      rpc.call("ModelInfer")({
        model_name: "digits",
        inputs: [{ ...fp32Input, contents: { fp32_contents: features } }],
        outputs: [{ name: "probabilities", parameters: { classification: { int64_param: "0" } } }],
      }),
    ).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });

  it("takes gzip-compressed messages, and applies the size limit to the inflated message", async () => {
    const gzip = grpcClient(target, undefined, { "grpc.default_compression_algorithm": 2 }); // 2: gzip
    try {
      const answer = await gzip.call("ModelInfer")({
        model_name: "digits",
        model_version: "2",
        inputs: [{ ...fp32Input, contents: { fp32_contents: features } }],
      });
      expect(labelsOf(answer)).toEqual(jsonLabels);
      // 70,000 zero bytes gzip to about 100: under the 65,536-byte limit on the wire, over it inflated.
      const bomb = gzip.call("ModelInfer")({
        model_name: "digits",
        inputs: [fp32Input],
        raw_input_contents: [Buffer.alloc(70_000)],
      });
      await expect(bomb).rejects.toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: expect.stringMatching(/decompresses to a size larger than 65536/),
      });
    } finally {
      gzip.close();
    }
  });

  it("counts calls by method and status in /metrics", async () => {
    const text = (await svc.app.inject("/metrics")).body;
    const count = (labels: string) =>
      Number(text.match(new RegExp(`^infergate_grpc_requests_total\\{${labels}\\} (\\d+)$`, "m"))?.[1]);
    expect(count('method="ServerLive",code="OK"')).toBe(1);
    expect(count('method="ModelInfer",code="NOT_FOUND"')).toBe(2);
    expect(count('method="ModelInfer",code="INVALID_ARGUMENT"')).toBe(4); // 3 above + classification 0
    expect(count('method="ModelInfer",code="OK"')).toBeGreaterThanOrEqual(2 + 2 * 24);
  });

  // Found by the generated-input suite (service/test/fuzz/grpc.test.ts): a valid ModelInfer
  // message whose first byte was overwritten with 0x00 (field number 0, which protobuf forbids)
  // ended INTERNAL "Error deserializing request" from grpc-js, before any handler, uncounted.
  it("ends a call whose bytes are not a ModelInfer message INVALID_ARGUMENT, counted like other refusals", async () => {
    const raw = new grpc.Client(target, grpc.credentials.createInsecure());
    const send = (bytes: Buffer) =>
      new Promise<grpc.ServiceError>((resolve, reject) => {
        raw.makeUnaryRequest(
          "/inference.GRPCInferenceService/ModelInfer",
          (b: Buffer) => b,
          (b: Buffer) => b,
          bytes,
          (err) => (err ? resolve(err) : reject(new Error("the call succeeded"))),
        );
      });
    try {
      // The counterexample's start (tag 0, then "digits" read as a field of wire type 4), and a
      // message cut inside its inputs (length 5, one byte there).
      const zeroTag = Buffer.concat([Buffer.from([0x00, 0x06]), Buffer.from("digits")]);
      for (const bytes of [zeroTag, Buffer.from([0x2a, 0x05, 0x0a])]) {
        const err = await send(bytes);
        expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(err.details).toMatch(/^the request is not a valid ModelInfer message: \S/);
      }
    } finally {
      raw.close();
    }
    const text = (await svc.app.inject("/metrics")).body;
    expect(text).toMatch(/^infergate_grpc_requests_total\{method="ModelInfer",code="INVALID_ARGUMENT"\} 6$/m);
  });
});

describe("gRPC server shutdown", () => {
  it("answers every call in flight when the service closes, then takes no more", async () => {
    const svc = await startService({ INFERGATE_GRPC_PORT: "0" });
    const port = await listenGrpc(svc.grpc as grpc.Server, "127.0.0.1", 0);
    const rpc = grpcClient(`127.0.0.1:${port}`);
    // Hold every run until released, so calls are provably in flight inside the server.
    const served = svc.registry.resolve("digits", undefined);
    const run = served.run;
    const held: (() => void)[] = [];
    Object.defineProperty(served, "run", {
      value: async (...args: Parameters<typeof run>) => {
        await new Promise<void>((resolve) => held.push(resolve));
        return run(...args);
      },
    });
    try {
      const request = {
        model_name: "digits",
        inputs: [{ ...fp32Input, contents: { fp32_contents: features } }],
      };
      const inFlight = Array.from({ length: 5 }, () => rpc.call("ModelInfer")(request));
      while (held.length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
      let closed = false;
      const closing = svc.close().then(() => {
        closed = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(closed, "close() waits for the calls in flight").toBe(false);
      for (const release of held) release();
      const answers = await Promise.allSettled(inFlight);
      await closing;
      expect(answers.map((a) => a.status)).toEqual(Array(5).fill("fulfilled"));
      await expect(rpc.call("ServerLive")({})).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    } finally {
      rpc.close();
      await svc.close();
    }
  });
});
