import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { MeasuredWindow } from "./measured-window.js";

/**
 * The load generator process (spawned, pinned, by load.ts): autocannon driving one URL with a
 * closed loop of `connections` keep-alive connections. autocannon's own latency histogram has
 * 1 ms resolution (integer HDR buckets), too coarse for sub-millisecond p50s, so every response
 * time (float ms from process.hrtime) is also kept here and the percentiles are exact.
 *
 * The first `settleSeconds` are not measured. A fresh autocannon process needs about half a
 * second at 64 connections (its own cold JIT, one client per connection) before it sends at full
 * rate: its first answers took up to 0.5 s, with the server idle meanwhile. Counted, that start-up
 * took 14 % off every server's req/s in a 3 s point and put 64 artificial outliers into every
 * point's tail. So the measured window starts after it, and throughput is 2xx responses in the
 * window / the window's length. Prints `start` when the window opens (load.ts samples the
 * server's and the machine's CPU time from there), then one JSON line with the result and this
 * process's CPU time over the window.
 *
 * argv[2]: JSON {url, bodyFile (JSON lines: the request bodies), connections, seconds, settleSeconds,
 * rate (optional: a fixed request rate, as the soak runs, instead of as fast as answers come)}
 */
type Opts = {
  url: string;
  bodyFile: string;
  connections: number;
  seconds: number;
  settleSeconds: number;
  /** Open loop: requests per second over all connections (autocannon's overallRate); else closed loop. */
  rate?: number;
};
type Instance = {
  on(event: "response", fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
};
type Result = { errors: number; timeouts: number };
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
let non2xx = 0;
const measured = new MeasuredWindow(opts.settleSeconds);

const instance = autocannon(
  {
    url: opts.url,
    method: "POST",
    headers: { "content-type": "application/json" },
    requests,
    connections: opts.connections,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    duration: opts.settleSeconds + opts.seconds,
    timeout: 30,
  },
  (err, r) => {
    if (err) {
      process.stderr.write(`autocannon: ${err.message}\n`);
      process.exit(2);
    }
    // non-2xx and errors (timeouts included) over the whole run, settling included: a failure at
    // any time counts.
    measured.report(latencies.subarray(0, n), { non2xx, errors: r.errors, timeouts: r.timeouts });
  },
);
instance.on("response", (_client, status, _bytes, ms) => {
  if (status < 200 || status >= 300) {
    non2xx++;
    return;
  }
  if (!measured.measuring) return;
  if (n === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[n++] = ms;
});
