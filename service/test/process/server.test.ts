import { Agent, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "../support/data.js";
import { type ServerProcess, startServerProcess } from "../support/process.js";

const body = JSON.stringify(inferBody(validationRows().slice(0, 16)));

/** One POST over a given keep-alive agent; resolves with the status code (or the error code). */
function post(url: string, agent: Agent): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/v2/models/digits/infer`,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
    req.end(body);
  });
}

describe("server process over real HTTP on 127.0.0.1", () => {
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop("SIGKILL");
    server = undefined;
  });

  it("starts on the embedded default, serves predictions, and drains on SIGTERM with exit 0", async () => {
    server = await startServerProcess();
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    expect(await post(server.url, agent)).toBe(200);
    // Requests in flight when SIGTERM lands must all finish.
    const inflight = Array.from({ length: 64 }, () => post(server?.url ?? "", agent));
    await new Promise((r) => setImmediate(r));
    const t0 = Date.now();
    const code = server.stop("SIGTERM");
    const statuses = await Promise.all(inflight);
    expect(await code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000); // drained, not cut off at the 10 s deadline
    // Every request either completed (200) or, arriving after close, was refused (503 / reset): never a 500.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 503 || s === "ECONNRESET" || s === "ECONNREFUSED")).toBe(
      true,
    );
    expect(server.output()).toMatch(/"msg":"draining"/);
    expect(server.output(), server.output()).toMatch(/"outcome":"drained"/);
    agent.destroy();
  });

  it("fails fast with a message naming a bad variable", async () => {
    const err = await startServerProcess({ INFERGATE_VERSION_POLICY: "newest" }, { timeoutMs: 30_000 }).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/INFERGATE_VERSION_POLICY/);
  });

  it("is live while a model cannot load, but never ready", async () => {
    server = await startServerProcess({ INFERGATE_MODELS: "no_such_model" }, { waitReady: false });
    const ready = await fetch(`${server.url}/v2/health/ready`);
    expect(ready.status).toBe(503);
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
  });
});
