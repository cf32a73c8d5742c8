import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "../support/process.js";

/**
 * Overload (issue #21): 256 concurrent 4 MiB binary requests — 1 GiB offered at once to one
 * worker of a pod limited to 1 GiB (INFERGATE_MEMORY_LIMIT_BYTES, what the chart passes from the
 * container's limit). Each is a valid request the model must run (16,384 rows, the row cap raised
 * to allow it; under the default cap they would be refused from the header alone, which proves
 * nothing about memory). Every answer is 200 or a 503/429 with Retry-After, no connection is
 * reset, the server's peak RSS stays under the limit, and it is still ready.
 */
const GiB = 1024 ** 3;
const ROWS = 16_384; // × 64 FP32 = 4 MiB
const CONCURRENCY = 256;

/** A binary request body of ROWS rows (one buffer, shared by every request: the client stays small). */
function body(): { payload: Buffer; headerLength: number } {
  const data = Buffer.alloc(ROWS * 64 * 4);
  const floats = new Float32Array(data.buffer, data.byteOffset, ROWS * 64);
  for (let i = 0; i < floats.length; i++) floats[i] = (i % 17) / 16;
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        { name: "input", shape: [ROWS, 64], datatype: "FP32", parameters: { binary_data_size: data.length } },
      ],
      outputs: [{ name: "label", parameters: { binary_data: true } }],
    }),
  );
  return { payload: Buffer.concat([header, data]), headerLength: header.length };
}

type Outcome = { status?: number; retryAfter?: string; error?: string };

function post(url: string, agent: Agent, b: ReturnType<typeof body>): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/v2/models/digits/infer`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/octet-stream",
          "content-length": b.payload.length,
          "inference-header-content-length": b.headerLength,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({ status: res.statusCode, retryAfter: res.headers["retry-after"] as string | undefined }),
        );
        res.on("error", (err) => resolve({ error: err.message }));
      },
    );
    req.on("error", (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end(b.payload);
  });
}

const peakRss = (pid: number) =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) * 1024;

describe("overload: 256 concurrent 4 MiB requests to one worker of a 1 GiB pod", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({
      INFERGATE_MEMORY_LIMIT_BYTES: String(GiB),
      INFERGATE_MAX_ROWS_PER_REQUEST: String(ROWS),
      LOG_LEVEL: "warn",
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("answers every request 200, 503 or 429 with Retry-After, resets none, peaks under 1 GiB and stays ready", async () => {
    const pid = server.child.pid as number;
    const before = peakRss(pid);
    const agent = new Agent({ keepAlive: false, maxSockets: CONCURRENCY });
    const b = body();
    const outcomes = await Promise.all(Array.from({ length: CONCURRENCY }, () => post(server.url, agent, b)));
    agent.destroy();
    const peak = peakRss(pid);
    const count = (s: number) => outcomes.filter((o) => o.status === s).length;
    console.info(
      `overload: ${count(200)}×200, ${count(503)}×503, ${count(429)}×429, ` +
        `${outcomes.filter((o) => o.error).length} errors; VmHWM ${(before / 2 ** 20).toFixed(0)} → ${(peak / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(outcomes.filter((o) => o.error)).toEqual([]);
    expect(outcomes.filter((o) => ![200, 429, 503].includes(o.status as number))).toEqual([]);
    expect(outcomes.filter((o) => o.status !== 200 && !o.retryAfter)).toEqual([]);
    expect(count(200)).toBeGreaterThan(0);
    expect(peak).toBeLessThan(GiB);
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
  }, 120_000);
});
