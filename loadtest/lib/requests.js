// Requests to the service and the checks on their status and response shape. Every check result
// also goes into the `gate_errors` Rate, which the gate thresholds (failed checks / all checks).
import { check, fail } from "k6";
import http from "k6/http";
import { Rate } from "k6/metrics";
import { batchAt } from "./data.js";

export const gateErrors = new Rate("gate_errors");

const JSON_HEADERS = { "Content-Type": "application/json" };

function record(res, checks) {
  const results = check(res, checks);
  gateErrors.add(!results);
  return results;
}

function jsonOf(res) {
  try {
    return res.json();
  } catch (_err) {
    return undefined;
  }
}

const product = (shape) => shape.reduce((a, b) => a * b, 1);

/**
 * Runs once before the load: the server must be ready, the model's metadata gives the input
 * name/datatype/width, and one real inference records which version answers.
 */
export function discover(cfg) {
  const ready = http.get(`${cfg.baseUrl}/v2/health/ready`, {
    timeout: cfg.requestTimeout,
    tags: { kind: "setup" },
  });
  if (ready.status !== 200)
    fail(`${cfg.baseUrl}/v2/health/ready answered ${ready.status}; is the service up?`);
  const res = http.get(`${cfg.baseUrl}/v2/models/${cfg.model}`, {
    timeout: cfg.requestTimeout,
    tags: { kind: "setup" },
  });
  const meta = res.status === 200 ? jsonOf(res) : undefined;
  const input = meta?.inputs?.[0];
  if (!input || !Array.isArray(input.shape)) {
    fail(
      `GET /v2/models/${cfg.model} answered ${res.status}: no input metadata (${String(res.body).slice(0, 200)})`,
    );
  }
  const target = { name: input.name, datatype: input.datatype, width: input.shape[input.shape.length - 1] };
  const probe = http.post(`${cfg.baseUrl}/v2/models/${cfg.model}/infer`, v2Body(target, 0, cfg.batch), {
    headers: JSON_HEADERS,
    timeout: cfg.requestTimeout,
    tags: { kind: "setup" },
  });
  const body = probe.status === 200 ? jsonOf(probe) : undefined;
  if (!body) fail(`probe inference answered ${probe.status}: ${String(probe.body).slice(0, 300)}`);
  return {
    input: target,
    modelVersion: body.model_version,
    versions: meta.versions ?? [],
    platform: meta.platform,
  };
}

function v2Body(input, seq, batch) {
  const rows = batchAt(seq, batch);
  const data = [];
  for (const r of rows) for (const v of r) data.push(v);
  return JSON.stringify({
    id: `k6-${seq}`,
    inputs: [{ name: input.name, shape: [batch, input.width], datatype: input.datatype, data }],
  });
}

/** POST /v2/models/{m}/infer (Open Inference Protocol) with `batch` validation rows. */
export function inferV2(cfg, setup, seq) {
  const res = http.post(`${cfg.baseUrl}/v2/models/${cfg.model}/infer`, v2Body(setup.input, seq, cfg.batch), {
    headers: JSON_HEADERS,
    timeout: cfg.requestTimeout,
    tags: { kind: "infer", endpoint: "v2_infer" },
  });
  const body = res.status === 200 ? jsonOf(res) : undefined;
  return record(res, {
    "v2 infer: status 200": (r) => r.status === 200,
    "v2 infer: model name": () => body?.model_name === cfg.model,
    "v2 infer: outputs shaped [batch, ...] with matching data": () =>
      Array.isArray(body?.outputs) &&
      body.outputs.length > 0 &&
      body.outputs.every(
        (o) =>
          Array.isArray(o.shape) &&
          o.shape[0] === cfg.batch &&
          Array.isArray(o.data) &&
          o.data.length === product(o.shape) &&
          o.data.every((v) => typeof v === "number" && Number.isFinite(v)),
      ),
  });
}

/** POST /v1/models/{m}:predict with `batch` instances. */
export function predictV1(cfg, seq) {
  const body = JSON.stringify({ instances: batchAt(seq, cfg.batch) });
  const res = http.post(`${cfg.baseUrl}/v1/models/${cfg.model}:predict`, body, {
    headers: JSON_HEADERS,
    timeout: cfg.requestTimeout,
    tags: { kind: "infer", endpoint: "v1_predict" },
  });
  const parsed = res.status === 200 ? jsonOf(res) : undefined;
  return record(res, {
    "v1 predict: status 200": (r) => r.status === 200,
    "v1 predict: one prediction per instance": () =>
      Array.isArray(parsed?.predictions) &&
      parsed.predictions.length === cfg.batch &&
      parsed.predictions.every((p) => p !== null && typeof p === "object"),
  });
}

/** One inference, V1 for a `v1Share` fraction of the sequence numbers, otherwise V2. */
export function inferMixed(cfg, setup, seq) {
  const everyNth = cfg.v1Share > 0 ? Math.round(1 / cfg.v1Share) : 0;
  if (everyNth > 0 && seq % everyNth === everyNth - 1) return predictV1(cfg, seq);
  return inferV2(cfg, setup, seq);
}

/** The control-plane endpoints the smoke test walks besides inference. */
export function controlPlane(cfg) {
  const opts = { timeout: cfg.requestTimeout, tags: { kind: "control" } };
  const live = http.get(`${cfg.baseUrl}/v2/health/live`, opts);
  record(live, { "live: status 200": (r) => r.status === 200 && jsonOf(r)?.live === true });
  const ready = http.get(`${cfg.baseUrl}/v2/health/ready`, opts);
  record(ready, { "ready: status 200": (r) => r.status === 200 && jsonOf(r)?.ready === true });
  const meta = http.get(`${cfg.baseUrl}/v2/models/${cfg.model}`, opts);
  record(meta, {
    "metadata: inputs and outputs": (r) => {
      const m = r.status === 200 ? jsonOf(r) : undefined;
      return m?.name === cfg.model && Array.isArray(m.inputs) && Array.isArray(m.outputs);
    },
  });
  const metrics = http.get(`${cfg.baseUrl}/metrics`, opts);
  record(metrics, {
    "metrics: Prometheus text": (r) => r.status === 200 && String(r.body).includes("# TYPE "),
  });
}
