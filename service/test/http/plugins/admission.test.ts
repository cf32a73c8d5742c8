import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installAdmission } from "../../../src/http/plugins/admission.js";
import { Metrics } from "../../../src/metrics/service-metrics.js";
import { startService } from "../../support/service.js";

/**
 * The memory budget's accounting (plugins/admission.ts) on a real socket: a body's charge is held
 * while its request is served and released once the answer is sent, whatever the answer, and
 * when the client goes away mid-body; nothing leaks into infergate_request_bytes_held.
 */
type Svc = Awaited<ReturnType<typeof startService>>;
let svc: Svc;
let base = "";

beforeAll(async () => {
  svc = await startService();
  base = await svc.app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await svc.close();
});

async function held(): Promise<number> {
  const metric = await svc.metrics.requestBytesHeld.get();
  return metric.values[0]?.value ?? 0;
}

/** Polls until the gauge reads `want` (a released charge follows the answer by a tick or two). */
async function heldBecomes(want: number): Promise<number> {
  let value = await held();
  for (let i = 0; i < 100 && value !== want; i++) {
    await sleep(10);
    value = await held();
  }
  return value;
}

const row = JSON.stringify({
  inputs: [{ name: "input", shape: [1, 64], datatype: "FP32", data: new Array(64).fill(1) }],
});
const post = (body: string, model = "digits") =>
  fetch(`${base}/v2/models/${model}/infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

describe("memory budget accounting", () => {
  it("releases every charge once the answers are sent: successes, 400, 404 and 415", async () => {
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, () => post(row)),
      post('{"inputs":[]}'),
      post(row, "nope"),
      fetch(`${base}/v2/models/digits/infer`, { method: "POST", body: "text" }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([...new Array(20).fill(200), 400, 404, 415].sort());
    await Promise.all(answers.map((r) => r.arrayBuffer()));
    expect(await heldBecomes(0)).toBe(0);
  });

  it("holds a charge until the answer is sent, not only until the body has been read", async () => {
    // The plugin alone on a route that answers 300 ms after its body has been read.
    const metrics = new Metrics();
    const app = Fastify();
    installAdmission(app, { bodyLimitBytes: 1 << 20, memoryBudgetBytes: 1 << 30 }, metrics);
    app.post("/slow", async () => {
      await sleep(300);
      return { ok: true };
    });
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const gauge = async () => (await metrics.requestBytesHeld.get()).values[0]?.value ?? 0;
      const answer = fetch(`${url}/slow`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: row,
      });
      await sleep(150); // the body has long been read; the answer is 150 ms away
      const during = await gauge();
      const res = await answer;
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      expect(during).toBe(Buffer.byteLength(row));
      let after = await gauge();
      for (let i = 0; i < 100 && after !== 0; i++) {
        await sleep(10);
        after = await gauge();
      }
      expect(after).toBe(0);
    } finally {
      await app.close();
    }
  });

  it("holds a body's declared size while it arrives, and releases it when the client goes away", async () => {
    const port = Number(new URL(base).port);
    const socket = connect(port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(
      "POST /v2/models/digits/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{",
    );
    expect(await heldBecomes(5000)).toBe(5000);
    socket.destroy();
    expect(await heldBecomes(0)).toBe(0);
  });
});
