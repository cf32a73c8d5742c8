import { spawn } from "node:child_process";
import { machineBusyTicks, pinned, treeTicks } from "./processes.js";

export type LoadResult = {
  /** 2xx responses per second. */
  rps: number;
  /** Latency percentiles of 2xx responses, in ms (exact, from every response time). */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  /** Length of the measured window (after the load generator's settling). */
  seconds: number;
  /** CPU used meanwhile, in cores (1 = one core busy): by the server's process tree, by the load generator, by everything else on the machine (other users' work: noise). */
  cpu: { server: number; load: number; other: number };
};

/** The load generator's entry point, run by `script` (compiled, see compile.ts). */
export const LOAD_WORKER_ENTRY = "bench/lib/load-worker.ts";

/**
 * Drives `url` with autocannon in a separate process (pinned to `cpus` when given), POSTing
 * the bodies of `bodyFile` (one per line, cycled) over `connections` keep-alive connections: `settleSeconds` of start-up, not measured, then `seconds` measured; see load-worker.ts.
 */
export function runLoad(opts: {
  url: string;
  /** JSON lines: the request bodies (load-worker.ts). */
  bodyFile?: string;
  connections: number;
  seconds: number;
  settleSeconds: number;
  /** Requests per second (open loop); undefined: closed loop, each connection sends on each answer. */
  rate?: number;
  cpus: string | undefined;
  /** The command running a bench entry point (compile.ts). */
  script: (entry: string) => string[];
  /** The server's pid, to split the machine's CPU time into server, load generator and others. */
  serverPid: number;
  /** Another load generator that speaks the same protocol (tensor-load-worker.ts), with its options. */
  worker?: { entry: string; options: Record<string, unknown> };
  /** Called when the measured window opens (bench/profile.ts reads the server's threads then). */
  onWindowStart?: () => void;
}): Promise<LoadResult> {
  const { cpus, serverPid, script, worker, onWindowStart, ...rest } = opts;
  const hz = 100; // USER_HZ of /proc/stat and /proc/PID/stat
  let t0 = 0;
  let busy0 = 0;
  let server0 = 0;
  const argv = pinned(cpus, [
    ...script(worker?.entry ?? LOAD_WORKER_ENTRY),
    JSON.stringify({ ...rest, ...worker?.options }),
  ]);
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    let done: LoadResult | undefined;
    child.stdout.on("data", (d) => {
      out += d;
      for (let nl = out.indexOf("\n"); nl >= 0; nl = out.indexOf("\n")) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line === "start") {
          t0 = performance.now();
          busy0 = machineBusyTicks();
          server0 = treeTicks(serverPid);
          onWindowStart?.();
        } else if (line.startsWith("{")) {
          const wall = (performance.now() - t0) / 1000;
          const r = JSON.parse(line) as Omit<LoadResult, "cpu"> & { loadCpuMs: number };
          const server = (treeTicks(serverPid) - server0) / hz / wall;
          const load = r.loadCpuMs / 1000 / wall;
          const all = (machineBusyTicks() - busy0) / hz / wall;
          const round = (v: number) => Math.round(v * 100) / 100;
          const { loadCpuMs: _, ...result } = r;
          const other = round(Math.max(0, all - server - load));
          done = { ...result, cpu: { server: round(server), load: round(load), other } };
        }
      }
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      if (!done) return reject(new Error("load generator printed no result"));
      resolve(done);
    });
  });
}
