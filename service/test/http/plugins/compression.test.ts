import { deflateSync, gunzipSync, gzipSync, inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryRequest, inferBody, validationRows } from "../../support/data.js";
import { startService } from "../../support/service.js";

type Svc = Awaited<ReturnType<typeof startService>>;
const rows = validationRows().slice(0, 64);
const LIMIT = 256 * 1024;

/** Request and response compression (Content-Encoding / Accept-Encoding gzip and deflate), as Triton has. */
describe("HTTP: compressed requests and responses (inject)", () => {
  let svc: Svc;
  let plain: { statusCode: number; body: string };
  beforeAll(async () => {
    svc = await startService({
      INFERGATE_BODY_LIMIT_BYTES: String(LIMIT),
      INFERGATE_MAX_ROWS_PER_REQUEST: "64",
    });
    plain = await infer(JSON.stringify(inferBody(rows)));
    expect(plain.statusCode).toBe(200);
  });
  afterAll(async () => {
    await svc.close();
  });

  function infer(payload: Buffer | string, headers: Record<string, string> = {}) {
    return svc.app.inject({
      method: "POST",
      url: "/v2/models/digits/infer",
      payload,
      headers: { "content-type": "application/json", ...headers },
    });
  }

  it.each([
    ["gzip", gzipSync],
    ["deflate", deflateSync],
  ])("reads a %s request body: the same answer as uncompressed", async (encoding, pack) => {
    const res = await infer(pack(JSON.stringify(inferBody(rows))), { "content-encoding": encoding });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(plain.body);
  });

  it("reads a gzip body of the binary tensor data extension (the header length counts inflated bytes)", async () => {
    const { payload, headerLength } = binaryRequest(rows);
    const res = await infer(gzipSync(payload), {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(headerLength),
      "content-encoding": "gzip",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(JSON.parse(plain.body));
  });

  it("takes Content-Encoding: identity as uncompressed", async () => {
    const res = await infer(JSON.stringify(inferBody(rows)), { "content-encoding": "identity" });
    expect(res.body).toBe(plain.body);
  });

  it.each([
    ["gzip", gunzipSync],
    ["deflate", inflateSync],
  ])("compresses a large answer for Accept-Encoding: %s", async (encoding, unpack) => {
    const res = await infer(JSON.stringify(inferBody(rows)), { "accept-encoding": encoding });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-encoding"]).toBe(encoding);
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.rawPayload.length).toBeLessThan(plain.body.length / 2);
    expect(unpack(res.rawPayload).toString("utf8")).toBe(plain.body);
  });

  it("compresses a binary answer, whose Inference-Header-Content-Length still counts the inflated JSON", async () => {
    const { payload, headerLength } = binaryRequest(rows, { parameters: { binary_data_output: true } });
    const headers = {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(headerLength),
    };
    const uncompressed = await infer(payload, headers);
    const res = await infer(payload, { ...headers, "accept-encoding": "gzip" });
    expect(res.headers["content-type"]).toBe("application/octet-stream");
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(res.headers["inference-header-content-length"]).toBe(
      uncompressed.headers["inference-header-content-length"],
    );
    expect(gunzipSync(res.rawPayload).equals(uncompressed.rawPayload)).toBe(true);
  });

  it("sends a small answer as it is, and never compresses unasked", async () => {
    const one = await infer(JSON.stringify(inferBody(rows.slice(0, 1))), { "accept-encoding": "gzip" });
    expect(one.statusCode).toBe(200);
    expect(one.rawPayload.length).toBeLessThan(1024);
    expect(one.headers["content-encoding"]).toBeUndefined();
    expect((await infer(JSON.stringify(inferBody(rows)))).headers["content-encoding"]).toBeUndefined();
    const br = await infer(JSON.stringify(inferBody(rows)), { "accept-encoding": "br" });
    expect(br.headers["content-encoding"]).toBeUndefined();
    expect(br.body).toBe(plain.body);
  });

  it("compresses the metrics scrape for Prometheus (which asks for gzip)", async () => {
    const res = await svc.app.inject({ url: "/metrics", headers: { "accept-encoding": "gzip" } });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(res.rawPayload).toString("utf8")).toMatch(/^# HELP /m);
  });

  it("refuses an encoding it cannot read with 415, naming it and what it reads", async () => {
    const res = await infer(JSON.stringify(inferBody(rows)), { "content-encoding": "br" });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({
      error: 'content encoding "br" is not supported; send gzip, deflate or an uncompressed body',
    });
  });

  it("refuses a body that is not what its Content-Encoding says with 400", async () => {
    const res = await infer(JSON.stringify(inferBody(rows)), { "content-encoding": "gzip" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/^request body is not valid gzip data \(Content-Encoding: gzip\): \S/);
    const truncated = gzipSync(JSON.stringify(inferBody(rows))).subarray(0, 200);
    const cut = await infer(truncated, { "content-encoding": "gzip" });
    expect(cut.statusCode).toBe(400);
    expect(cut.json().error).toMatch(/^request body is not valid gzip data/);
  });

  it("applies the body limit to the inflated body: a small gzip bomb gets 413", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * LIMIT, " "));
    expect(bomb.length).toBeLessThan(LIMIT / 4);
    const res = await infer(bomb, { "content-encoding": "gzip" });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: `request body exceeds the limit of ${LIMIT} bytes` });
    expect((await infer(JSON.stringify(inferBody(rows.slice(0, 1))))).statusCode).toBe(200);
  });
});
