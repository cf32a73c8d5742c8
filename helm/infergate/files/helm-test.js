// `helm test` script, run by node inside the service's own image (no extra image):
// waits for readiness through the Service, then sends one real infer request.
// Env: BASE_URL (http://svc:port), MODEL, DEADLINE_SECONDS.
"use strict";
const base = process.env.BASE_URL;
const model = process.env.MODEL || "digits";
const deadline = Date.now() + 1000 * Number(process.env.DEADLINE_SECONDS || 60);

async function call(path, init) {
  const res = await fetch(base + path, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

async function main() {
  let ready;
  for (;;) {
    try {
      ready = await call("/v2/health/ready");
      if (ready.status === 200 && ready.body && ready.body.ready === true) break;
    } catch (err) {
      ready = { status: 0, body: String(err) };
    }
    if (Date.now() > deadline) throw new Error(`not ready: ${ready.status} ${JSON.stringify(ready.body)}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
  console.log(`ready: ${JSON.stringify(ready.body)}`);

  // An 8x8 "digit" with 64 pixel intensities in 0..16 (the digits model's input).
  const data = Array.from({ length: 64 }, (_, i) => [0, 3, 10, 16, 16, 10, 3, 0][i % 8]);
  const infer = await call(`/v2/models/${encodeURIComponent(model)}/infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ inputs: [{ name: "input", shape: [1, 64], datatype: "FP32", data }] }),
  });
  if (infer.status !== 200) throw new Error(`infer: HTTP ${infer.status} ${JSON.stringify(infer.body)}`);
  const outputs = (infer.body && infer.body.outputs) || [];
  const label = outputs.find((o) => o.name === "label");
  if (infer.body.model_name !== model || !label || !Array.isArray(label.data) || label.data.length !== 1) {
    throw new Error(`infer: unexpected body ${JSON.stringify(infer.body)}`);
  }
  console.log(`infer ok: model ${infer.body.model_name} v${infer.body.model_version} label ${label.data[0]}`);
}

main().catch((err) => {
  console.error(`helm test failed: ${err.message}`);
  process.exit(1);
});
