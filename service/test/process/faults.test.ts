import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "../support/data.js";
import { waitFor } from "../support/net.js";
import { type ServerProcess, startServerProcess } from "../support/process.js";
import { type TempRepo, tempRepository } from "../support/temp-repo.js";

/**
 * Faults a pod lives through (issue #21): a worker killed under load is replaced while the
 * other keeps answering; workers that keep crashing make the primary give up (the crash-loop
 * rule, so Kubernetes restarts the pod); an admin change reaches every worker before the call
 * returns.
 */
const TOKEN = "admin-token-for-the-tests";

/** The worker processes of a cluster primary: its children that run the server (not tsx's esbuild). */
function workerPids(primary: number): number[] {
  const children = readFileSync(`/proc/${primary}/task/${primary}/children`, "utf8").trim();
  if (!children) return [];
  return children
    .split(/\s+/)
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("service/src/main.ts");
      } catch {
        return false; // gone meanwhile
      }
    });
}

/** Whether every worker has loaded the model (each scrape sums all workers' loads). */
async function allLoaded(url: string, workers: number): Promise<boolean> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const loads = [...text.matchAll(/infergate_model_load_duration_seconds_count\{[^}]*\} (\d+)/g)];
  return loads.reduce((n, m) => n + Number(m[1]), 0) >= workers;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("faults (INFERGATE_WORKERS=2)", () => {
  let server: ServerProcess | undefined;
  let repo: TempRepo | undefined;
  afterEach(async () => {
    await server?.stop("SIGKILL");
    repo?.cleanup();
    server = undefined;
    repo = undefined;
  });

  it("kill -9 of a worker under load: a new worker replaces it, readiness stays, the other worker keeps answering", async () => {
    server = await startServerProcess({ INFERGATE_WORKERS: "2" });
    const s = server;
    const primary = s.child.pid as number;
    await waitFor(
      async () => workerPids(primary).length === 2 && (await allLoaded(s.url, 2)),
      30_000,
      "two workers",
    );
    const [victim] = workerPids(primary) as [number];
    const body = JSON.stringify(inferBody(validationRows().slice(0, 1)));
    const outcomes = { ok: 0, failed: 0, other: 0, failedAfterReady: 0 };
    let running = true;
    let readyAt = Number.POSITIVE_INFINITY;
    const client = async () => {
      while (running) {
        const started = Date.now();
        try {
          const res = await fetch(`${s.url}/v2/models/digits/infer`, {
            method: "POST",
            body,
            headers: { "content-type": "application/json", connection: "close" },
            signal: AbortSignal.timeout(5_000),
          });
          if (res.status === 200) outcomes.ok++;
          else outcomes.other++;
          await res.arrayBuffer();
        } catch {
          outcomes.failed++; // a request in flight on (or handed to) the killed worker
          if (started > readyAt) outcomes.failedAfterReady++;
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((r) => setTimeout(r, 1000));
    const before = outcomes.ok;
    process.kill(victim, "SIGKILL");
    await waitFor(
      async () => !alive(victim) && workerPids(primary).filter((pid) => pid !== victim).length === 2,
      15_000,
      "a replacement worker",
    );
    // The replacement has loaded and listens: both workers answer again.
    await waitFor(async () => allLoaded(s.url, 2), 15_000, "the replacement to load");
    expect((await fetch(`${s.url}/v2/health/ready`)).status).toBe(200);
    readyAt = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    running = false;
    await Promise.all(clients);
    // Only requests on the killed worker may fail (4 clients: at most 4); every other one was
    // answered, and none started after the replacement was ready failed.
    expect(outcomes.failed).toBeLessThanOrEqual(4);
    expect(outcomes.failedAfterReady).toBe(0);
    expect(outcomes.other).toBe(0);
    expect(outcomes.ok).toBeGreaterThan(before);
    expect(s.output()).toMatch(/"msg":"worker exited unexpectedly; starting a new one"/);
  });

  it("the crash-loop rule: a sixth worker crash within a minute makes the primary exit 1", async () => {
    server = await startServerProcess({ INFERGATE_WORKERS: "2" });
    const s = server;
    const primary = s.child.pid as number;
    const exited = new Promise<number | null>((resolve) => s.child.once("exit", (code) => resolve(code)));
    const victims = new Set<number>();
    for (let crash = 1; crash <= 6; crash++) {
      let pid = 0;
      await waitFor(
        async () => {
          pid = workerPids(primary).find((p) => !victims.has(p)) ?? 0;
          return pid > 0;
        },
        15_000,
        `worker ${crash}`,
      );
      victims.add(pid);
      process.kill(pid, "SIGKILL");
    }
    expect((await exited) as number | null).toBe(1);
    expect(s.output()).toMatch(/"msg":"workers keep crashing; giving up"/);
    server = undefined;
  });

  it("an admin change is applied by every worker before the call returns", async () => {
    repo = tempRepository();
    repo.pointer({ stable: 2, mode: "off", weight: 0 });
    server = await startServerProcess({
      INFERGATE_WORKERS: "2",
      INFERGATE_MODEL_REPOSITORY: repo.root,
      INFERGATE_ADMIN_TOKEN: TOKEN,
      INFERGATE_POLL_INTERVAL_MS: "0", // no poll would ever tell the other worker
    });
    const s = server;
    await waitFor(
      async () => workerPids(s.child.pid as number).length === 2 && (await allLoaded(s.url, 2)),
      30_000,
      "two workers",
    );
    const res = await fetch(`${s.url}/admin/models/digits/tracks`, {
      method: "PUT",
      body: JSON.stringify({ mode: "canary", weight: 1, candidate: 1 }),
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { workers: unknown }).workers).toEqual({ applied: 2, of: 2, failed: [] });
    // Fresh connections reach both workers: every unversioned answer now comes from the candidate.
    const body = JSON.stringify(inferBody(validationRows().slice(0, 1)));
    const versions = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${s.url}/v2/models/digits/infer`, {
          method: "POST",
          body,
          headers: { "content-type": "application/json", connection: "close" },
        }).then((r) => r.headers.get("x-model-version")),
      ),
    );
    expect(new Set(versions)).toEqual(new Set(["1"]));
  });
});
