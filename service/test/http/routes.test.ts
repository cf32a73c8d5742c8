import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "../support/data.js";
import { startService } from "../support/service.js";

type Svc = Awaited<ReturnType<typeof startService>>;
const rows = validationRows();

describe("HTTP API over the bundled model (inject)", () => {
  let svc: Svc;
  beforeAll(async () => {
    svc = await startService({ INFERGATE_VERSION_POLICY: "all", INFERGATE_BODY_LIMIT_BYTES: "65536" });
  });
  afterAll(async () => {
    await svc.close();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    svc.app.inject({
      method: "POST",
      url,
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
      headers: { "content-type": "application/json", ...headers },
    });

  it("answers health, server metadata and model readiness", async () => {
    expect((await svc.app.inject("/v2/health/live")).json()).toEqual({ live: true });
    const ready = await svc.app.inject("/v2/health/ready");
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ready: true });
    const meta = (await svc.app.inject("/v2")).json();
    expect(meta).toMatchObject({ name: "infergate", extensions: expect.any(Array) });
    expect((await svc.app.inject("/v2/")).json()).toEqual(meta);
    expect((await svc.app.inject("/v2/models/digits/ready")).statusCode).toBe(200);
    expect((await svc.app.inject("/v2/models/digits/versions/1/ready")).json()).toMatchObject({
      ready: true,
    });
    expect((await svc.app.inject("/v2/models/digits/versions/9/ready")).statusCode).toBe(404);
    expect((await svc.app.inject("/v2/models/nope/ready")).statusCode).toBe(404);
  });

  it("serves model metadata for the newest and for a given version", async () => {
    const m = (await svc.app.inject("/v2/models/digits")).json();
    expect(m).toMatchObject({ name: "digits", versions: ["2", "1"], platform: "onnxruntime_onnx" });
    expect(m.inputs).toEqual([{ name: "input", datatype: "FP32", shape: [-1, 64] }]);
    const v1 = (await svc.app.inject("/v2/models/digits/versions/1")).json();
    expect(v1.versions).toEqual(["1"]);
    expect(v1.parameters.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("infers: unversioned goes to the newest version, id echoed, labels right", async () => {
    const sample = rows.slice(0, 8);
    const res = await post("/v2/models/digits/infer", inferBody(sample, { id: "req-1" }));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.model_name).toBe("digits");
    expect(body.model_version).toBe("2");
    expect(body.id).toBe("req-1");
    const label = body.outputs.find((o: { name: string }) => o.name === "label");
    expect(label).toMatchObject({ datatype: "INT64", shape: [8] });
    const correct = label.data.filter((l: number, i: number) => l === sample[i]?.label).length;
    expect(correct).toBeGreaterThanOrEqual(7);
    const probs = body.outputs.find((o: { name: string }) => o.name === "probabilities");
    expect(probs.shape).toEqual([8, 10]);
  });

  it("accepts nested data, a subset of outputs and unknown parameters", async () => {
    const res = await post("/v2/models/digits/versions/1/infer", {
      parameters: { something_new: true },
      inputs: [
        { name: "input", shape: [2, 64], datatype: "FP32", data: [rows[0]?.features, rows[1]?.features] },
      ],
      outputs: [{ name: "label", parameters: { binary_data: false } }],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().model_version).toBe("1");
    expect(res.json().outputs.map((o: { name: string }) => o.name)).toEqual(["label"]);
  });

  it("reads a body without content type as JSON (as some V2 clients send it)", async () => {
    const res = await svc.app.inject({
      method: "POST",
      url: "/v2/models/digits/infer",
      payload: JSON.stringify(inferBody(rows.slice(0, 1))),
    });
    expect(res.statusCode).toBe(200);
  });

  const one = rows[0]?.features ?? [];
  it.each([
    ["malformed JSON", "{", 400, /not valid JSON/],
    ["no inputs", {}, 400, /inputs/],
    [
      "wrong datatype",
      { inputs: [{ name: "input", shape: [1, 64], datatype: "FP64", data: one }] },
      400,
      /input "input" must have datatype FP32, got FP64/,
    ],
    [
      "element count mismatch",
      { inputs: [{ name: "input", shape: [1, 64], datatype: "FP32", data: one.slice(1) }] },
      400,
      /needs 64 elements, data has 63/,
    ],
    [
      "wrong row width",
      { inputs: [{ name: "input", shape: [2, 32], datatype: "FP32", data: one }] },
      400,
      /dimension 1 must be 64/,
    ],
    [
      "wrong rank",
      { inputs: [{ name: "input", shape: [64], datatype: "FP32", data: one }] },
      400,
      /expected rank 2/,
    ],
    [
      "unknown input",
      { inputs: [{ name: "pixels", shape: [1, 64], datatype: "FP32", data: one }] },
      400,
      /no input named "pixels"/,
    ],
    [
      "missing input (duplicate given)",
      {
        inputs: [
          { name: "input", shape: [1, 64], datatype: "FP32", data: one },
          { name: "input", shape: [1, 64], datatype: "FP32", data: one },
        ],
      },
      400,
      /more than once/,
    ],
    [
      "unknown output",
      {
        inputs: [{ name: "input", shape: [1, 64], datatype: "FP32", data: one }],
        outputs: [{ name: "scores" }],
      },
      400,
      /no output named "scores"/,
    ],
    [
      "a string element",
      {
        inputs: [
          { name: "input", shape: [1, 64], datatype: "FP32", data: [1, "x", ...new Array(62).fill(0)] },
        ],
      },
      400,
      /element 1 is string "x", expected a number/,
    ],
    [
      "zero rows",
      { inputs: [{ name: "input", shape: [0, 64], datatype: "FP32", data: [] }] },
      400,
      /zero rows/,
    ],
  ])("answers %s with a clear 4xx JSON error", async (_name, payload, status, message) => {
    const res = await post("/v2/models/digits/infer", payload);
    expect(res.statusCode).toBe(status);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(res.json().error).toMatch(message);
    expect(Object.keys(res.json())).toEqual(["error"]);
  });

  it("answers unknown models, versions and routes with 404", async () => {
    const body = inferBody(rows.slice(0, 1));
    expect((await post("/v2/models/nope/infer", body)).json()).toEqual({
      error: 'model "nope" is not served here',
    });
    expect((await post("/v2/models/digits/versions/7/infer", body)).statusCode).toBe(404);
    expect((await post("/v2/models/digits/versions/abc/infer", body)).statusCode).toBe(400);
    const unknown = await svc.app.inject("/v3/whatever");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatch(/no route GET \/v3\/whatever/);
  });

  it("answers 413 over the body limit and 415 for non-JSON content", async () => {
    const big = inferBody(Array.from({ length: 600 }, () => rows[0] as (typeof rows)[0]));
    const tooBig = await post("/v2/models/digits/infer", big);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error).toMatch(/65536 bytes/);
    const text = await post("/v2/models/digits/infer", "a=b", { "content-type": "text/plain" });
    expect(text.statusCode).toBe(415);
    expect(text.json().error).toMatch(/text\/plain/);
  });

  it("serves V1 predict with labels and probabilities for classifiers", async () => {
    const res = await post("/v1/models/digits:predict", {
      instances: [rows[0]?.features, rows[1]?.features],
    });
    expect(res.statusCode).toBe(200);
    const { predictions, model_version } = res.json();
    expect(model_version).toBe("2");
    expect(predictions).toHaveLength(2);
    expect(predictions[0].label).toBe(String(rows[0]?.label));
    expect(Object.keys(predictions[0].probabilities)).toHaveLength(10);
    const sum = Object.values(predictions[0].probabilities as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
    expect(sum).toBeCloseTo(1, 4);
    expect(predictions[0].score).toBe(predictions[0].probabilities[predictions[0].label]);
    const v1 = await post("/v1/models/digits/versions/1:predict", { instances: [rows[0]?.features] });
    expect(v1.json().model_version).toBe("1");
    const bad = await post("/v1/models/digits:predict", { instances: [[1, 2, 3]] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('input "input": instances[0] has 3 elements where shape [1, 64] needs 64');
    expect((await post("/v1/models/digits:explain", { instances: [] })).statusCode).toBe(404);
  });

  it("takes a per-request timeout from a header or parameters.timeout_ms, and rejects bad ones", async () => {
    const body = inferBody(rows.slice(0, 1));
    expect((await post("/v2/models/digits/infer", body, { "x-request-timeout-ms": "5000" })).statusCode).toBe(
      200,
    );
    expect(
      (await post("/v2/models/digits/infer", { ...body, parameters: { timeout_ms: 5000 } })).statusCode,
    ).toBe(200);
    const badHeader = await post("/v2/models/digits/infer", body, { "x-request-timeout-ms": "soon" });
    expect(badHeader.statusCode).toBe(400);
    expect(badHeader.json().error).toMatch(/x-request-timeout-ms/);
    const badParam = await post("/v2/models/digits/infer", { ...body, parameters: { timeout_ms: -1 } });
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().error).toMatch(/parameters.timeout_ms/);
  });

  it("honours an incoming x-request-id and makes one when absent", async () => {
    const res = await svc.app.inject({ url: "/v2/health/live", headers: { "x-request-id": "abc-123" } });
    expect(res.headers["x-request-id"]).toBe("abc-123");
    const fresh = await svc.app.inject("/v2/health/live");
    const again = await svc.app.inject({ url: "/v2/health/live" });
    expect(fresh.headers["x-request-id"]).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    expect(again.headers["x-request-id"]).not.toBe(fresh.headers["x-request-id"]);
  });

  it("exports request, model and process metrics", async () => {
    await post("/v2/models/digits/infer", inferBody(rows.slice(0, 1)));
    await post("/v2/models/digits/infer", { inputs: [] });
    const text = (await svc.app.inject("/metrics")).body;
    expect(text).toMatch(
      /infergate_inference_requests_total\{model="digits",version="2",track="stable",outcome="success"\} [1-9]/,
    );
    expect(text).toMatch(
      /infergate_inference_requests_total\{model="digits",version="2",track="stable",outcome="client_error"\} [1-9]/,
    );
    expect(text).toMatch(
      /infergate_inference_duration_seconds_bucket\{le="0.0005",model="digits",version="2",track="stable"\}/,
    );
    expect(text).toMatch(/infergate_model_ready\{model="digits",version="1"\} 1/);
    expect(text).toMatch(/infergate_model_info\{model="digits",version="2",sha256="[0-9a-f]{64}"\} 1/);
    expect(text).toMatch(/infergate_model_load_duration_seconds_count\{model="digits",version="2"\} 1/);
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/v2\/models\/:model\/infer",status_code="200"\}/,
    );
    expect(text).toMatch(/process_cpu_seconds_total/);
    expect(text).toMatch(
      /infergate_predicted_class_total\{model="digits",version="2",track="stable",class="[0-9]"\} [1-9]/,
    );
    expect(text).toMatch(/infergate_batch_size_count\{model="digits",version="2"\} [1-9]/);
    expect(text).toMatch(
      /infergate_queue_duration_seconds_bucket\{le="0.00005",model="digits",version="2"\}/,
    );
    expect(text).toMatch(/infergate_queue_depth\{model="digits",version="2"\} 0/);
    expect(text).toMatch(/infergate_queue_capacity\{model="digits",version="2"\} 256/);
    expect(text).toMatch(/# TYPE infergate_rejected_requests_total counter/);
    expect(text).toMatch(/nodejs_eventloop_lag_seconds/);
  });

  it("counts every answered row under its predicted class", async () => {
    const classCounts = async () => {
      const text = (await svc.app.inject("/metrics")).body;
      const counts = new Map<string, number>();
      for (const m of text.matchAll(
        /infergate_predicted_class_total\{model="digits",version="1",[^}]*class="(\d)"\} (\d+)/g,
      )) {
        counts.set(m[1] as string, Number(m[2]));
      }
      return counts;
    };
    const before = await classCounts();
    const sample = rows.slice(100, 132); // 32 rows: INFERGATE_MAX_ROWS_PER_REQUEST's default
    const res = await post("/v2/models/digits/versions/1/infer", {
      ...inferBody(sample),
      outputs: [{ name: "probabilities" }],
    });
    const probs = res.json().outputs[0].data as number[];
    const expected = new Map<string, number>();
    for (let i = 0; i < sample.length; i++) {
      const row = probs.slice(i * 10, i * 10 + 10);
      const top = String(row.indexOf(Math.max(...row)));
      expected.set(top, (expected.get(top) ?? 0) + 1);
    }
    const after = await classCounts();
    for (const [cls, n] of expected) expect((after.get(cls) ?? 0) - (before.get(cls) ?? 0)).toBe(n);
  });

  it("publishes an OpenAPI document of its own routes", async () => {
    const doc = (await svc.app.inject("/docs/json")).json();
    expect(doc.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.paths);
    for (const p of [
      "/v2/health/live",
      "/v2/health/ready",
      "/v2/models/{model}/infer",
      "/v2/models/{model}/versions/{version}/infer",
      "/v1/models/{target}",
    ]) {
      expect(paths).toContain(p);
    }
    expect(
      doc.paths["/v2/models/{model}/infer"].post.requestBody.content["application/json"].schema.required,
    ).toEqual(["inputs"]);
    expect((await svc.app.inject("/docs")).statusCode).toBeLessThan(400);
  });
});
