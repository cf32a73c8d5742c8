import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLoad } from "../lib/load.js";
import { TSX } from "../lib/processes.js";

/**
 * The load generator's measured window (lib/load-worker.ts): answers before it (the settling
 * start-up) are not counted as throughput, failures anywhere are, and req/s is answers in the
 * window over the window's own length.
 */
const dir = mkdtempSync(join(tmpdir(), "infergate-bench-load-"));
const bodyFile = join(dir, "bodies.jsonl");
let server: Server;
let url = "";
let started = 0;
let served200 = 0;

beforeAll(async () => {
  writeFileSync(bodyFile, '{"a":1}\n{"a":2}\n');
  // Fails every request during its first 100 ms of load, then echoes.
  server = createServer((req, res) => {
    started ||= Date.now();
    req.resume().on("end", () => {
      const status = Date.now() - started < 100 ? 503 : 200;
      if (status === 200) served200++;
      res.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe("runLoad", () => {
  it("measures only after settling, but reports failures from the whole run", async () => {
    const r = await runLoad({
      url,
      bodyFile,
      connections: 4,
      seconds: 1,
      settleSeconds: 1.5,
      cpus: undefined,
      script: (entry) => [...TSX, entry],
      serverPid: process.pid,
    });
    // The 503s all came before the window opened: counted as failures, never as throughput.
    expect(r.non2xx).toBeGreaterThan(0);
    expect(r.ok).toBeGreaterThan(0);
    // The 200s of the settling after the 503s (at least 0.7 s: autocannon starts within 0.7 s) were answered but not counted.
    expect(r.ok).toBeLessThan(served200 * 0.9);
    expect(r.errors).toBe(0);
    // The window is the measured second (plus autocannon's own start-up delay of its timer).
    expect(r.seconds).toBeGreaterThanOrEqual(0.9);
    expect(r.seconds).toBeLessThan(2.5);
    expect(r.rps).toBeCloseTo(r.ok / r.seconds, 6);
    expect(r.p50).toBeGreaterThan(0);
    expect(r.p99).toBeGreaterThanOrEqual(r.p50);
    expect(r.max).toBeGreaterThanOrEqual(r.p99);
    expect(r.cpu.server).toBeGreaterThan(0);
  }, 20_000);
});
