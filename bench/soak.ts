import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { parseArgs } from "node:util";
import { writeDigitsBodies } from "./lib/bodies.js";
import { compileBench, SERVER_ENTRY } from "./lib/compile.js";
import { runLoad } from "./lib/load.js";
import { pinned, startServer } from "./lib/processes.js";
import { renderSoak, type SoakResult, type SoakWindow, verdict } from "./lib/soak-report.js";

/**
 * `npm run bench:soak` (issue #21): one infergate worker (batching on, pinned to CPU 0) is held
 * at half its measured capacity for 10 minutes by an open-loop load generator on CPU 1, in
 * consecutive 30 s windows; after each window the server's resident memory is read. A leak shows
 * as growth after warm-up; the soak fails (exit 1) at 5 % growth or any failed request.
 * Writes <out>/soak.json and soak.md (bench/SOAK.{json,md} are a committed run).
 *
 *   --minutes <n>    soak length (default 10)
 *   --fraction <x>   share of the measured capacity to offer (default 0.5)
 *   --out <dir>      default bench/results
 */
const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    fraction: { type: "string", default: "0.5" },
    out: { type: "string", default: "bench/results" },
  },
});
const minutes = Number(values.minutes);
const fraction = Number(values.fraction);
if (!(minutes > 0) || !(fraction > 0 && fraction <= 1)) {
  process.stderr.write("bench:soak: --minutes must be > 0 and --fraction in (0, 1]\n");
  process.exit(2);
}
const WINDOW_SECONDS = 30;
const WARMUP_WINDOWS = 2;
const log = (line: string) => process.stderr.write(`[soak] ${line}\n`);
const twoCpus = availableParallelism() >= 2;
const [serverCpus, loadCpus] = twoCpus ? ["0", "1"] : [undefined, undefined];

/** A field of the server's /proc status in bytes; the server gone is the soak failing, said plainly. */
function rss(pid: number, field: "VmRSS" | "VmHWM"): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    throw new Error(`the server (pid ${pid}) is gone: it exited or was killed during the soak`);
  }
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) * 1024;
}

const scripts = compileBench(log);
mkdirSync(values.out, { recursive: true });
const bodyFile = `${values.out}/soak-rows.jsonl`;
writeDigitsBodies(bodyFile);

const server = await startServer(
  pinned(serverCpus, scripts.argv(SERVER_ENTRY)),
  { INFERGATE_WORKERS: "1", INFERGATE_BATCHING: "true", INFERGATE_MODELS: "digits", INFERGATE_DOCS: "false" },
  "/v2/health/ready",
);
const url = `${server.url}/v2/models/digits/infer`;
const load = (seconds: number, rate?: number) =>
  runLoad({
    url,
    bodyFile,
    connections: 64,
    seconds,
    settleSeconds: 1,
    rate,
    cpus: loadCpus,
    script: scripts.argv,
    serverPid: server.pid,
  });

try {
  const capacity = await load(10);
  const rate = Math.round(capacity.rps * fraction);
  log(`capacity ${capacity.rps.toFixed(0)} req/s; soaking at ${rate} req/s for ${minutes} min`);
  const windows: SoakWindow[] = [];
  const started = performance.now();
  const count = Math.ceil((minutes * 60) / WINDOW_SECONDS);
  for (let i = 0; i < count; i++) {
    const r = await load(WINDOW_SECONDS, rate);
    const w = {
      at: (performance.now() - started) / 1000,
      rps: r.rps,
      p99: r.p99,
      non2xx: r.non2xx,
      errors: r.errors,
      rss: rss(server.pid, "VmRSS"),
    };
    windows.push(w);
    log(
      `${w.at.toFixed(0)} s: ${w.rps.toFixed(0)} req/s, p99 ${w.p99.toFixed(2)} ms, RSS ${(w.rss / 2 ** 20).toFixed(1)} MiB`,
    );
  }
  const result: SoakResult = {
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? "unknown CPU"}, ${availableParallelism()} CPUs`,
    node: process.version,
    capacityRps: capacity.rps,
    fraction,
    rate,
    minutes,
    warmupWindows: WARMUP_WINDOWS,
    windows,
    peakRss: rss(server.pid, "VmHWM"),
  };
  writeFileSync(`${values.out}/soak.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${values.out}/soak.md`, renderSoak(result));
  process.stdout.write(renderSoak(result));
  process.exitCode = verdict(result).pass ? 0 : 1;
} finally {
  await server.stop();
}
