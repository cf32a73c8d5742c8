import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryRequest, inferBody, validationRows } from "../support/data.js";
import { startService } from "../support/service.js";

type Svc = Awaited<ReturnType<typeof startService>>;
const rows = validationRows().slice(0, 8);

describe("HTTP: binary tensor data extension (inject)", () => {
  let svc: Svc;
  let jsonAnswer: { outputs: { name: string; data: number[] }[] };
  beforeAll(async () => {
    svc = await startService();
    const res = await svc.app.inject({
      method: "POST",
      url: "/v2/models/digits/infer",
      payload: inferBody(rows),
    });
    jsonAnswer = res.json();
  });
  afterAll(async () => {
    await svc.close();
  });
  const jsonOutput = (name: string) => jsonAnswer.outputs.find((o) => o.name === name)?.data;

  const send = (payload: Buffer, headers: Record<string, string>, url = "/v2/models/digits/infer") =>
    svc.app.inject({ method: "POST", url, payload, headers });

  it("is announced in the server metadata", async () => {
    expect((await svc.app.inject("/v2")).json().extensions).toContain("binary_tensor_data");
  });

  it("binary in, binary out (kserve client style: application/octet-stream): same answers as JSON", async () => {
    const { payload, headerLength } = binaryRequest(rows, { parameters: { binary_data_output: true } });
    const res = await send(payload, {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(headerLength),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/octet-stream");
    const length = Number(res.headers["inference-header-content-length"]);
    const body = res.rawPayload;
    const header = JSON.parse(body.subarray(0, length).toString("utf8"));
    expect(header.outputs).toEqual([
      { name: "label", datatype: "INT64", shape: [8], parameters: { binary_data_size: 64 } },
      { name: "probabilities", datatype: "FP32", shape: [8, 10], parameters: { binary_data_size: 320 } },
    ]);
    expect(body.length).toBe(length + 64 + 320);
    const labels = Array.from({ length: 8 }, (_, i) => Number(body.readBigInt64LE(length + 8 * i)));
    expect(labels).toEqual(jsonOutput("label"));
    const probabilities = Array.from({ length: 80 }, (_, i) => body.readFloatLE(length + 64 + 4 * i));
    expect(probabilities).toEqual(jsonOutput("probabilities"));
  });

  it("binary in, JSON out, with no Content-Type (tritonclient style)", async () => {
    const { payload, headerLength } = binaryRequest(rows, { id: "t-1" });
    const res = await send(payload, { "inference-header-content-length": String(headerLength) });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ id: "t-1", outputs: jsonAnswer.outputs });
  });

  it("JSON in, one output binary on request", async () => {
    const body = inferBody(rows, { outputs: [{ name: "label", parameters: { binary_data: true } }] });
    const res = await svc.app.inject({ method: "POST", url: "/v2/models/digits/infer", payload: body });
    const length = Number(res.headers["inference-header-content-length"]);
    expect(JSON.parse(res.rawPayload.subarray(0, length).toString()).outputs).toEqual([
      { name: "label", datatype: "INT64", shape: [8], parameters: { binary_data_size: 64 } },
    ]);
  });

  it.each([
    [
      "no Inference-Header-Content-Length",
      {},
      400,
      "a binary body needs the Inference-Header-Content-Length header (binary tensor data extension)",
    ],
    [
      "a header length that is not a number",
      { "inference-header-content-length": "12a" },
      400,
      /"12a" is not a byte count/,
    ],
    [
      "a header length past the body",
      { "inference-header-content-length": "99999" },
      400,
      /"99999" is not a byte count within the \d+-byte body/,
    ],
    [
      "a header length that cuts the JSON",
      { "inference-header-content-length": "10" },
      400,
      /^request body is not valid JSON/,
    ],
  ])("answers a binary body with %s with a clear 400", async (_what, headers, status, message) => {
    const { payload } = binaryRequest(rows);
    const res = await send(payload, { "content-type": "application/octet-stream", ...headers });
    expect(res.statusCode).toBe(status);
    expect(res.json().error).toMatch(message);
  });

  it("refuses binary bodies on routes that take JSON only (415)", async () => {
    const { payload, headerLength } = binaryRequest(rows);
    const res = await send(
      payload,
      { "content-type": "application/octet-stream", "inference-header-content-length": String(headerLength) },
      "/v1/models/digits:predict",
    );
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({
      error: 'content type "application/octet-stream" is not supported; send application/json',
    });
  });
});
