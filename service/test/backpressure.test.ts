import { afterEach, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "./support/data.js";
import { type ServerProcess, startServerProcess } from "./support/process.js";

describe("backpressure over real HTTP", () => {
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop("SIGKILL");
  });

  it("refuses a burst beyond the queue with 503 + Retry-After at once, serves the rest, and stays healthy", async () => {
    server = await startServerProcess({
      INFERGATE_MAX_QUEUE_SIZE: "8",
      INFERGATE_MAX_BATCH_SIZE: "4",
      INFERGATE_MAX_ROWS_PER_REQUEST: "64",
    });
    const url = server.url;
    // 64 rows per request make each run long enough for a queue to build.
    const body = JSON.stringify(inferBody(validationRows().slice(0, 64)));
    const burst = await Promise.all(
      Array.from({ length: 400 }, async () => {
        const t0 = performance.now();
        const res = await fetch(`${url}/v2/models/digits/infer`, {
          method: "POST",
          body,
          headers: { "content-type": "application/json" },
        });
        const json = (await res.json()) as { error?: string };
        return {
          status: res.status,
          retryAfter: res.headers.get("retry-after"),
          ms: performance.now() - t0,
          json,
        };
      }),
    );
    const ok = burst.filter((r) => r.status === 200);
    const refused = burst.filter((r) => r.status === 503);
    expect(ok.length + refused.length).toBe(burst.length); // nothing else: no 500s, no resets
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.retryAfter === "1" && /at capacity/.test(r.json.error ?? ""))).toBe(true);
    expect((await fetch(`${url}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`infergate_rejected_requests_total\\{[^}]*reason="queue_full"\\} ${refused.length}\\n`),
    );
  });

  it("drops a request whose x-request-timeout-ms passes while it waits, with 504", async () => {
    server = await startServerProcess({
      INFERGATE_MAX_BATCH_SIZE: "1",
      INFERGATE_MAX_QUEUE_SIZE: "10000",
      INFERGATE_MAX_ROWS_PER_REQUEST: "256",
    });
    const url = server.url;
    const heavy = JSON.stringify(inferBody(validationRows().slice(0, 256)));
    const light = JSON.stringify(inferBody(validationRows().slice(0, 1)));
    const post = (b: string, headers: Record<string, string> = {}) =>
      fetch(`${url}/v2/models/digits/infer`, {
        method: "POST",
        body: b,
        headers: { "content-type": "application/json", ...headers },
      });
    // A backlog of heavy runs, then a request that will not wait more than 1 ms.
    const backlog = Array.from({ length: 200 }, () => post(heavy));
    const impatient = await post(light, { "x-request-timeout-ms": "1" });
    await Promise.all(backlog);
    expect(impatient.status).toBe(504);
    expect(((await impatient.json()) as { error: string }).error).toMatch(/1 ms timeout/);
  });
});
