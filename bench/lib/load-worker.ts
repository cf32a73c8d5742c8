import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * The load generator process (spawned, pinned, by load.ts): autocannon driving one URL with a
 * closed loop of `connections` keep-alive connections. autocannon's own latency histogram has
 * 1 ms resolution (integer HDR buckets), too coarse for sub-millisecond p50s, so every response
 * time (float ms from process.hrtime) is also kept here and the percentiles are exact. Throughput
 * is 2xx responses / measured duration. Prints `start` when loading starts, then one JSON line
 * with the result and this process's CPU time meanwhile.
 *
 * argv[2]: JSON {url, bodyFile (JSON lines: the request bodies), connections, seconds}
 */
type Opts = { url: string; bodyFile: string; connections: number; seconds: number };
type Instance = {
  on(event: "response", fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
};
type Result = { duration: number; errors: number; timeouts: number; non2xx: number; "2xx": number };
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, r: Result) => void) => Instance;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;
const opts = JSON.parse(process.argv[2] as string) as Opts;
// One JSON body per line; each connection sends them in turn and starts over.
const requests = readFileSync(opts.bodyFile, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((body) => ({ method: "POST", body }));

let latencies = new Float64Array(1 << 16);
let n = 0;
// Tells load.ts that loading starts now (it samples the server's and the machine's CPU time).
process.stdout.write("start\n");
const cpu0 = process.cpuUsage();
const instance = autocannon(
  {
    url: opts.url,
    method: "POST",
    headers: { "content-type": "application/json" },
    requests,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 30,
  },
  (err, r) => {
    if (err) {
      process.stderr.write(`autocannon: ${err.message}\n`);
      process.exit(2);
    }
    const sorted = latencies.subarray(0, n).sort();
    const pct = (p: number) => (n ? (sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)] as number) : 0);
    const seconds = r.duration || opts.seconds;
    process.stdout.write(
      `${JSON.stringify({
        rps: r["2xx"] / seconds,
        p50: pct(50),
        p90: pct(90),
        p99: pct(99),
        max: n ? (sorted[n - 1] as number) : 0,
        ok: r["2xx"],
        non2xx: r.non2xx,
        errors: r.errors, // includes timeouts
        timeouts: r.timeouts,
        seconds,
        loadCpuMs: (() => {
          const u = process.cpuUsage(cpu0);
          return (u.user + u.system) / 1000;
        })(),
      })}\n`,
    );
  },
);
instance.on("response", (_client, status, _bytes, ms) => {
  if (status < 200 || status >= 300) return;
  if (n === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[n++] = ms;
});
