import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { pinned } from "./processes.js";

const autocannonBin = createRequire(import.meta.url).resolve("autocannon/autocannon.js");

export type LoadResult = {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
};

/**
 * Drives `url` with autocannon in a separate process (pinned to `cpus`), POSTing `bodyFile`
 * with `connections` concurrent connections for `seconds`; parses its JSON result.
 */
export function runLoad(opts: {
  url: string;
  bodyFile: string;
  connections: number;
  seconds: number;
  cpus: string | undefined;
}): Promise<LoadResult> {
  const argv = pinned(opts.cpus, [
    process.execPath,
    autocannonBin,
    "--json",
    "-c",
    String(opts.connections),
    "-d",
    String(opts.seconds),
    "-m",
    "POST",
    "-H",
    "content-type=application/json",
    "-i",
    opts.bodyFile,
    opts.url,
  ]);
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const r = JSON.parse(out) as {
        requests: { average: number; total: number };
        latency: { p50: number; p99: number };
        non2xx: number;
        errors: number;
      };
      resolve({
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
        total: r.requests.total,
      });
    });
  });
}
