import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../service/test/support/paths.js";
import { ProductionTraffic } from "../../src/rehearse/traffic.js";

/**
 * The production counter the scenarios' "0 failed" rests on: it must see every kind of failure
 * a client would. A stand-in server answers each request in turn: a good answer, a 503, a 200
 * without the labels, a reset connection and no answer at all, so each failure kind is counted.
 */
const ROWS = 4;
let server: Server;
let url = "";
let seen = 0;
const paths: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(req.url ?? "");
    req.resume();
    req.on("end", () => {
      const kind = seen++ % 5;
      if (kind === 0) {
        res.setHeader("x-model-version", "2");
        res.end(
          JSON.stringify({ outputs: [{ name: "label", data: Array.from({ length: ROWS }, () => 1) }] }),
        );
      } else if (kind === 1) {
        res.statusCode = 503;
        res.end("queue full");
      } else if (kind === 2) res.end(JSON.stringify({ outputs: [] }));
      else if (kind === 3) req.socket.destroy();
      // kind 4: never answers; the client's timeout ends it.
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("production traffic", () => {
  it("counts every request and every failure: status, missing outputs, reset, timeout", async () => {
    seen = 0;
    const traffic = new ProductionTraffic(REPO_ROOT, {
      route: () => url,
      model: "digits",
      rate: 50,
      rowsPerRequest: ROWS,
      timeoutMs: 500,
    });
    traffic.start();
    await sleep(1000);
    const counts = await traffic.stop();
    expect(counts.requests).toBe(seen);
    expect(counts.requests).toBeGreaterThanOrEqual(40);
    const good = Math.ceil(seen / 5);
    expect(counts.byVersion).toEqual({ "2": good });
    expect(counts.failed).toBe(seen - good);
    expect(Object.keys(counts.failures).sort()).toEqual([
      "HTTP 200 without a label per row",
      "HTTP 503",
      "TimeoutError",
      "TypeError",
    ]);
    expect(Object.values(counts.failures).reduce((n, f) => n + f.count, 0)).toBe(counts.failed);
    expect(counts.failures["HTTP 503"]?.first).toBe("queue full");
    expect(counts.failures.TypeError?.first).toBe("fetch failed");
    expect(new Set(paths)).toEqual(new Set(["/v2/models/digits/infer"]));
  });

  it("adds a stream naming the stable version while a baseline is pinned", async () => {
    paths.length = 0;
    const traffic = new ProductionTraffic(REPO_ROOT, {
      route: () => url,
      model: "digits",
      rate: 20,
      rowsPerRequest: ROWS,
      timeoutMs: 500,
    });
    traffic.start();
    traffic.pinBaseline({ version: 2, rate: 20 });
    await sleep(600);
    traffic.pinBaseline(undefined);
    await traffic.stop();
    const pinned = paths.filter((p) => p === "/v2/models/digits/versions/2/infer").length;
    expect(pinned).toBeGreaterThanOrEqual(8);
    expect(paths.length - pinned).toBeGreaterThanOrEqual(8);
  });

  it("sends each request where the route says, and counts one with nowhere to go as a failure", async () => {
    paths.length = 0;
    let asked = 0;
    const traffic = new ProductionTraffic(REPO_ROOT, {
      // Every third request finds no instance (a load balancer without a healthy target).
      route: () => (++asked % 3 === 0 ? undefined : url),
      model: "digits",
      rate: 30,
      rowsPerRequest: ROWS,
      timeoutMs: 500,
    });
    traffic.start();
    await sleep(700);
    const counts = await traffic.stop();
    expect(counts.requests).toBe(asked);
    expect(counts.failures.NoRoute).toEqual({
      count: Math.floor(asked / 3),
      first: "no production instance can answer",
    });
    expect(paths).toHaveLength(asked - Math.floor(asked / 3));
  });
});
