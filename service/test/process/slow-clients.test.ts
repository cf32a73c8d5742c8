import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "../support/data.js";
import { type ServerProcess, startServerProcess } from "../support/process.js";

/**
 * Slow clients (issue #21): one trickles its headers a byte at a time, one sends headers and then
 * stalls its body. Each is cut at the configured timeout (headers 1 s, whole request 2 s; the
 * server checks every second) while a normal client, on the same worker, keeps being answered.
 */
const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;
const CHECK_INTERVAL_MS = 1_000; // connectionsCheckingInterval in process/server.ts

type Cut = { afterMs: number; answer: string };

/** Opens a socket, runs `feed` on it, and resolves when the server closes it. */
function until(port: number, feed: (socket: Socket) => void): Promise<Cut> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (d) => {
      answer += d.toString();
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve({ afterMs: Date.now() - started, answer }));
    socket.on("connect", () => feed(socket));
  });
}

describe("slow clients are cut at the configured timeouts; others are answered", () => {
  let server: ServerProcess;
  let port: number;
  beforeAll(async () => {
    server = await startServerProcess({
      INFERGATE_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      INFERGATE_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      LOG_LEVEL: "warn",
    });
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("cuts both while a normal client's requests all succeed quickly", async () => {
    const headers = "POST /v2/models/digits/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
    const trickled = until(port, (socket) => {
      let i = 0;
      const timer = setInterval(() => {
        if (socket.destroyed) return clearInterval(timer);
        socket.write(headers[i++ % headers.length] as string);
      }, 100);
      socket.on("close", () => clearInterval(timer));
    });
    const stalled = until(port, (socket) => {
      socket.write(`${headers}Content-Length: 100000\r\n\r\n{"inputs": [`);
    });

    const body = JSON.stringify(inferBody(validationRows().slice(0, 1)));
    const latencies: number[] = [];
    const statuses: number[] = [];
    const deadline = Date.now() + REQUEST_TIMEOUT_MS + CHECK_INTERVAL_MS + 1_000;
    while (Date.now() < deadline) {
      const t = performance.now();
      const res = await fetch(`${server.url}/v2/models/digits/infer`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      await res.arrayBuffer();
      statuses.push(res.status);
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }

    const [t, s] = await Promise.all([trickled, stalled]);
    expect(t.afterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS);
    expect(t.afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + CHECK_INTERVAL_MS + 1_000);
    expect(t.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(s.afterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
    expect(s.afterMs).toBeLessThan(REQUEST_TIMEOUT_MS + CHECK_INTERVAL_MS + 1_000);
    expect(s.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.every((x) => x === 200)).toBe(true);
    expect(Math.max(...latencies)).toBeLessThan(500);
  }, 30_000);
});
