import { spawn } from "node:child_process";
import { pinned } from "./processes.js";

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
  seconds: number;
};

const worker = new URL("./load-worker.ts", import.meta.url).pathname;

/**
 * Drives `url` with autocannon in a separate process (pinned to `cpus` when given), POSTing
 * `bodyFile` over `connections` keep-alive connections for `seconds`; see load-worker.ts.
 */
export function runLoad(opts: {
  url: string;
  bodyFile: string;
  connections: number;
  seconds: number;
  cpus: string | undefined;
}): Promise<LoadResult> {
  const { cpus, ...rest } = opts;
  const argv = pinned(cpus, [process.execPath, "--import", "tsx", worker, JSON.stringify(rest)]);
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch (err) {
        reject(new Error(`load generator printed no result: ${(err as Error).message}`));
      }
    });
  });
}
