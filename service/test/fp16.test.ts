import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenGrpc } from "../src/grpc/server.js";
import { grpcClient } from "./support/grpc.js";
import { FIXTURES } from "./support/paths.js";
import { startService } from "./support/service.js";

type Svc = Awaited<ReturnType<typeof startService>>;

/**
 * FP16 end to end through a real onnxruntime session: the `halves` fixture (models/fixtures.py)
 * takes x FP16 [-1, 4] and answers y = x * [0.5, 2, -1, 1024] in FP16 and y32 = float(y) in FP32,
 * so every FP16 answer can be checked against the same values computed by the model in FP32.
 */
const X = [
  [1, 2, 3, 4],
  [0.1, 65504, -0, 1e-7], // 65504 * 2 overflows FP16; 1e-7 rounds to the subnormal 2^-23
  [-2.5, 0.000061035156, 7, 0.5],
];
// y as FP16 bits, computed with numpy (np.float16(x) * np.float16(scale)).view(np.uint16)
const Y_BITS = [
  [0x3800, 0x4400, 0xc200, 0x6c00],
  [0x2a66, 0x7c00, 0x0000, 0x0800],
  [0xbd00, 0x0800, 0xc700, 0x6000],
];
const halfBytes = (bits: number[][]) => Buffer.from(new Uint16Array(bits.flat()).buffer);

describe("FP16 models", () => {
  let svc: Svc;
  let rpc: ReturnType<typeof grpcClient>;
  beforeAll(async () => {
    svc = await startService({
      INFERGATE_MODEL_REPOSITORY: `file://${FIXTURES}models/fp16`,
      INFERGATE_GRPC_PORT: "0",
    });
    rpc = grpcClient(`127.0.0.1:${await listenGrpc(svc.grpc as grpc.Server, "127.0.0.1", 0)}`);
  });
  afterAll(async () => {
    rpc?.close();
    await svc?.close();
  });

  const infer = (payload: object) =>
    svc.app.inject({
      method: "POST",
      url: "/v2/models/halves/infer",
      payload: payload as Record<string, unknown>,
    });
  const jsonInput = (rows: number[][]) => ({
    name: "x",
    datatype: "FP16",
    shape: [rows.length, 4],
    data: rows,
  });

  it("describes FP16 tensors in the metadata", async () => {
    const meta = (await svc.app.inject("/v2/models/halves")).json();
    expect(meta.inputs).toEqual([{ name: "x", datatype: "FP16", shape: [-1, 4] }]);
    expect(meta.outputs[0]).toEqual({ name: "y", datatype: "FP16", shape: [-1, 4] });
  });

  it("V2 JSON: numbers in, the model's FP16 answers out as numbers (overflow as null, like FP32's)", async () => {
    const res = await infer({ inputs: [jsonInput(X)] });
    expect(res.statusCode).toBe(200);
    const out = Object.fromEntries(
      res.json().outputs.map((o: { name: string; datatype: string; data: unknown[] }) => [o.name, o]),
    );
    expect(out.y).toMatchObject({ datatype: "FP16", shape: [3, 4] });
    expect(out.y.data.slice(0, 4)).toEqual([0.5, 4, -3, 4096]);
    expect(out.y.data[5]).toBeNull(); // 131008 is beyond FP16: Infinity, which JSON writes as null
    expect(out.y.data).toEqual(out.y32.data); // the same values as the model's own FP32 cast
  });

  it("binary tensor data: FP16 bits in, the exact FP16 bits out", async () => {
    const data = halfBytes([
      [0x3c00, 0x4000, 0x4200, 0x4400], // 1, 2, 3, 4
    ]);
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: "x", datatype: "FP16", shape: [1, 4], parameters: { binary_data_size: data.length } },
        ],
        outputs: [{ name: "y", parameters: { binary_data: true } }],
      }),
    );
    const res = await svc.app.inject({
      method: "POST",
      url: "/v2/models/halves/infer",
      payload: Buffer.concat([header, data]),
      headers: {
        "content-type": "application/octet-stream",
        "inference-header-content-length": String(header.length),
      },
    });
    expect(res.statusCode).toBe(200);
    const jsonLength = Number(res.headers["inference-header-content-length"]);
    expect(JSON.parse(res.rawPayload.subarray(0, jsonLength).toString()).outputs[0]).toMatchObject({
      name: "y",
      datatype: "FP16",
      parameters: { binary_data_size: 8 },
    });
    expect(res.rawPayload.subarray(jsonLength).equals(halfBytes([Y_BITS[0] as number[]]))).toBe(true);
  });

  it("gRPC raw contents: FP16 bits in and out; typed contents are refused (the protocol has none)", async () => {
    const response = await rpc.call("ModelInfer")({
      model_name: "halves",
      inputs: [{ name: "x", datatype: "FP16", shape: ["3", "4"] }],
      outputs: [{ name: "y" }],
      raw_input_contents: [
        Buffer.from(
          new Uint16Array(
            // X as FP16 bits (numpy): the JSON test's rows
            [0x3c00, 0x4000, 0x4200, 0x4400, 0x2e66, 0x7bff, 0x8000, 0x0002, 0xc100, 0x0400, 0x4700, 0x3800],
          ).buffer,
        ),
      ],
    });
    expect(response.outputs).toMatchObject([{ name: "y", datatype: "FP16", shape: ["3", "4"] }]);
    expect(
      Buffer.from((response.raw_output_contents as Buffer[])[0] as Buffer).equals(halfBytes(Y_BITS)),
    ).toBe(true);
    await expect(
      rpc.call("ModelInfer")({
        model_name: "halves",
        inputs: [
          { name: "x", datatype: "FP16", shape: ["1", "4"], contents: { fp32_contents: [1, 2, 3, 4] } },
        ],
      }),
    ).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/raw_input_contents/),
    });
  });

  it("batches concurrent FP16 requests and gives each its own rows", async () => {
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => infer({ inputs: [jsonInput([[i, -i, i / 2, 1]])] })),
    );
    answers.forEach((res, i) => {
      const y = res.json().outputs.find((o: { name: string }) => o.name === "y").data;
      expect(y).toEqual([i * 0.5, -i * 2 + 0, -(i / 2) + 0, 1024]); // + 0: JSON has no -0
    });
    const metrics = (await svc.app.inject("/metrics")).body;
    const batches = /infergate_batch_size_count\{model="halves",version="1"\} (\d+)/.exec(metrics);
    expect(Number(batches?.[1])).toBeLessThan(24 + 4); // merged: fewer runs than requests (+ earlier tests)
  });

  it("refuses a non-number FP16 element with a 400 naming it", async () => {
    const res = await infer({
      inputs: [{ name: "x", datatype: "FP16", shape: [1, 4], data: [1, 2, "3", 4] }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('input "x": element 2 is string "3", expected a number for FP16');
  });
});
