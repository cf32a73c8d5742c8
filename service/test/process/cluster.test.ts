import { afterEach, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "../support/data.js";
import { waitFor } from "../support/net.js";
import { type ServerProcess, startServerProcess } from "../support/process.js";

const sumOf = (text: string, pattern: RegExp) =>
  [...text.matchAll(pattern)].reduce((n, m) => n + Number(m[1]), 0);

describe("INFERGATE_WORKERS=2 (node:cluster)", () => {
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop("SIGKILL");
  });

  it("shares the port, aggregates metrics of all workers in one scrape, and drains all on SIGTERM", async () => {
    server = await startServerProcess({ INFERGATE_WORKERS: "2" });
    const url = server.url;
    // Both workers loaded (each scrape is answered by one worker but sees both).
    const loads = async () =>
      sumOf(
        await (await fetch(`${url}/metrics`)).text(),
        /infergate_model_load_duration_seconds_count\{[^}]*\} (\d+)/g,
      );
    await waitFor(async () => (await loads()) === 2, 30_000, "both workers to load the model");
    const body = JSON.stringify(inferBody(validationRows().slice(0, 2)));
    const n = 120;
    const statuses = await Promise.all(
      Array.from({ length: n }, () =>
        fetch(`${url}/v2/models/digits/infer`, {
          method: "POST",
          body,
          headers: { "content-type": "application/json" },
        }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(n);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(sumOf(text, /infergate_inference_requests_total\{[^}]*outcome="success"\} (\d+)/g)).toBe(n);
    expect(text).toMatch(/infergate_model_ready\{model="digits",version="2"\} 1\n/);
    expect(sumOf(text, /infergate_model_load_duration_seconds_count\{[^}]*\} (\d+)/g)).toBe(2); // one load per worker
    expect(server.output()).toMatch(/"msg":"starting workers"/);
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.output()).toMatch(/"msg":"all workers stopped"/);
    server = undefined;
  });
});
