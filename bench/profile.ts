import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeDigitsBodies } from "./lib/bodies.js";
import { breakdown } from "./lib/breakdown.js";
import { compileBench } from "./lib/compile.js";
import { profileClockNow, readProfile, windowOf } from "./lib/cpuprofile.js";
import { renderFlameGraph } from "./lib/flame-graph.js";
import { runLoad } from "./lib/load.js";
import { threadTicks } from "./lib/processes.js";
import { type Profiled, type ProfileRun, profileTable } from "./lib/profile-table.js";
import type { ModelKey } from "./lib/report.js";
import { ensureLargeModel } from "./lib/setup.js";
import { MODELS, targets } from "./lib/targets.js";

/**
 * `npx tsx bench/profile.ts` (issue #25): where a server's time per request goes. Each target
 * (default: the bare Fastify echo and infergate with batching on, small model) runs pinned to
 * CPU 0 under `node --cpu-prof`, is warmed up, then loaded at c=64 from CPU 1 exactly as
 * `npm run bench` does; only the samples of the measured window are kept (the profile's clock is
 * `process.hrtime`'s). Prints and writes <out>/profile.{json,md}: per category (breakdown.ts)
 * the time per answered request, and <out>/<target>-flame.svg, a flame graph of the window.
 *
 *   --targets <ids>        comma-separated target ids of lib/targets.ts (default echo,infergate-on)
 *   --model small|large    the model infergate serves (default small; the echo ignores it)
 *   --seconds <n>          measured seconds per target (default 8)
 *   --connections <n>      default 64
 *   --interval-us <n>      sampling interval (default 250)
 *   --server-env K=V       extra environment for infergate (repeatable)
 *   --out <dir>            default bench/results/profile
 *   --label <text>         what was measured (e.g. the service's commit), kept in profile.json
 */
const { values } = parseArgs({
  options: {
    targets: { type: "string", default: "echo,infergate-on" },
    model: { type: "string", default: "small" },
    seconds: { type: "string", default: "8" },
    connections: { type: "string", default: "64" },
    "interval-us": { type: "string", default: "250" },
    "server-env": { type: "string", multiple: true, default: [] as string[] },
    out: { type: "string", default: "bench/results/profile" },
    label: { type: "string", default: "" },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const interval = Number(values["interval-us"]);
if (!(seconds > 0) || !Number.isInteger(connections) || connections < 1 || !(interval >= 50)) {
  process.stderr.write("bench/profile.ts: --seconds > 0, --connections ≥ 1, --interval-us ≥ 50\n");
  process.exit(2);
}
const model = values.model as ModelKey;
if (model !== "small" && model !== "large") {
  process.stderr.write("bench/profile.ts: --model is small or large\n");
  process.exit(2);
}
const serverEnv = Object.fromEntries(
  values["server-env"].map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);
const out = resolve(values.out);
const log = (line: string) => process.stderr.write(`[profile] ${line}\n`);
const twoCpus = availableParallelism() >= 2;
const [serverCpus, loadCpus] = twoCpus ? ["0", "1"] : [undefined, undefined];

const scripts = compileBench(log);
if (model === "large") ensureLargeModel();
mkdirSync(out, { recursive: true });
const bodyFile = join(out, "digits-rows.jsonl");
writeDigitsBodies(bodyFile);

const results: Profiled[] = [];
const load0 = loadavg();

for (const id of values.targets.split(",")) {
  const profileDir = join(out, `${id}-cpuprofile`);
  rmSync(profileDir, { recursive: true, force: true });
  // The target's own command with the profiler's flags in front of its script.
  const profiled = (entry: string) => {
    const [node, ...rest] = scripts.argv(entry) as [string, ...string[]];
    return [
      node,
      "--cpu-prof",
      `--cpu-prof-dir=${profileDir}`,
      "--cpu-prof-name=server.cpuprofile",
      `--cpu-prof-interval=${interval}`,
      ...rest,
    ];
  };
  const t = targets({
    serverCpus,
    nCpus: availableParallelism(),
    serverEnv,
    script: profiled,
    python: () => "python3",
  }).find((x) => x.id === id);
  if (!t) throw new Error(`no target "${id}" in bench/lib/targets.ts`);
  log(`${id}: starting under --cpu-prof (CPU ${serverCpus ?? "any"})`);
  const server = await t.start(model);
  const url = `${server.url}${t.path(model)}`;
  // The window's bounds on the profile's clock, and the server's threads' CPU over it.
  let windowStart = 0;
  let threads0 = { main: 0, profiler: 0, others: 0 };
  const load = (s: number) =>
    runLoad({
      url,
      bodyFile,
      connections,
      seconds: s,
      settleSeconds: 1,
      cpus: loadCpus,
      script: scripts.argv,
      serverPid: server.pid,
      onWindowStart: () => {
        windowStart = profileClockNow();
        threads0 = threadTicks(server.pid);
      },
    });
  let result: Awaited<ReturnType<typeof load>>;
  let windowEnd: number;
  let threads1: typeof threads0;
  try {
    await load(2); // JIT, caches, pools
    result = await load(seconds);
    windowEnd = profileClockNow();
    threads1 = threadTicks(server.pid);
  } finally {
    await server.stop(); // SIGTERM: the server exits and node writes the profile
  }
  const window = windowOf(readProfile(join(profileDir, "server.cpuprofile")), windowStart, windowEnd);
  const tickUs = 1e6 / 100; // USER_HZ
  const rows = breakdown(window, result.ok, {
    mainUs: (threads1.main - threads0.main) * tickUs,
    othersUs: (threads1.others - threads0.others) * tickUs,
  });
  results.push({
    target: id,
    name: t.name,
    rps: result.rps,
    p99: result.p99,
    busyUs: ((threads1.main - threads0.main + threads1.others - threads0.others) * tickUs) / result.ok,
    profilerUs: ((threads1.profiler - threads0.profiler) * tickUs) / result.ok,
    rows,
  });
  log(
    `${id}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99.toFixed(2)} ms, ${(window.total / 1000).toFixed(0)} ms sampled, idle ${((100 * window.idle) / window.total).toFixed(1)} %`,
  );
  writeFileSync(
    join(out, `${id}-flame.svg`),
    renderFlameGraph({
      title: `${t.name}: CPU profile at c=${connections}, ${MODELS[model].title}, ${seconds} s`,
      subtitle: [
        `${result.rps.toFixed(0)} req/s, p99 ${result.p99.toFixed(2)} ms; node --cpu-prof every ${interval} µs, pinned to CPU ${serverCpus ?? "any"}, load generator on CPU ${loadCpus ?? "any"}`,
        `${cpus()[0]?.model ?? "unknown CPU"}, node ${process.version}, load average ${load0.map((l) => l.toFixed(2)).join(" ")}; ${new Date().toISOString()}`,
      ],
      window,
      breakdown: rows,
    }),
  );
}

const run: ProfileRun = {
  ...(values.label ? { label: values.label } : {}),
  date: new Date().toISOString(),
  loadavg: { before: load0, after: loadavg() },
  connections,
  seconds,
  results,
};
const md = profileTable(results);
writeFileSync(join(out, "profile.json"), `${JSON.stringify(run, null, 2)}\n`);
writeFileSync(join(out, "profile.md"), md);
console.log(`\n${md}\nwrote ${out}/profile.{json,md} and the flame graphs`);
