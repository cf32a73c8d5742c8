import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { parseArgs } from "node:util";
import { type LoadResult, runLoad } from "./lib/load.js";
import { pinned, type Started, startServer } from "./lib/processes.js";

/**
 * `npm run bench`: every figure in one run, on loopback, bounded in time. Servers run pinned to
 * CPU 0 and the load generator (autocannon, a separate process) to CPU 1 when there are ≥ 2 CPUs,
 * so the two do not compete. Ratios compare figures measured in this same run only.
 */
const { values: opts } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "64" },
    out: { type: "string", default: "bench/results" },
  },
});
const seconds = Number(opts.seconds);
const connectionsList = String(opts.connections).split(",").map(Number);
const twoCpus = availableParallelism() >= 2;
const serverCpus = twoCpus ? "0" : undefined;
const loadCpus = twoCpus ? "1" : undefined;

mkdirSync(opts.out, { recursive: true });
const firstRow = JSON.parse(readFileSync("models/repository/digits/validation.jsonl", "utf8").split("\n")[0] as string);
const bodyFile = `${opts.out}/digits-1row.json`;
writeFileSync(
  bodyFile,
  JSON.stringify({ inputs: [{ name: "input", shape: [1, 64], datatype: "FP32", data: firstRow.features }] }),
);

type Target = { name: string; start: () => Promise<Started>; path: string };
const tsx = [process.execPath, "--import", "tsx"];
const targets: Target[] = [
  {
    name: "echo (bare Fastify)",
    path: "/echo",
    start: () => startServer(pinned(serverCpus, [...tsx, "bench/targets/echo-server.ts"]), {}, "/ready"),
  },
  {
    name: "infergate predict",
    path: "/v2/models/digits/infer",
    start: () =>
      startServer(pinned(serverCpus, [...tsx, "service/src/server.ts"]), { INFERGATE_DOCS: "false" }, "/v2/health/ready"),
  },
];

type Row = { target: string; connections: number } & LoadResult;
const rows: Row[] = [];
for (const target of targets) {
  const server = await target.start();
  try {
    const url = `${server.url}${target.path}`;
    await runLoad({ url, bodyFile, connections: 8, seconds: 2, cpus: loadCpus }); // warm-up (JIT, caches)
    for (const connections of connectionsList) {
      const r = await runLoad({ url, bodyFile, connections, seconds, cpus: loadCpus });
      rows.push({ target: target.name, connections, ...r });
      process.stderr.write(`${target.name} c=${connections}: ${r.rps.toFixed(0)} req/s\n`);
    }
  } finally {
    await server.stop();
  }
}

const fmt = (n: number, d = 0) => n.toFixed(d).padStart(9);
console.log(`\nmachine: ${cpus()[0]?.model ?? "unknown"} × ${availableParallelism()} CPUs, node ${process.version}`);
console.log(`servers on CPU ${serverCpus ?? "any"}, load generator on CPU ${loadCpus ?? "any"}, ${seconds}s per point\n`);
console.log(`${"target".padEnd(24)} conns     req/s   p50 ms   p99 ms   errors`);
for (const r of rows) {
  console.log(
    `${r.target.padEnd(24)} ${String(r.connections).padStart(5)}${fmt(r.rps)}${fmt(r.p50, 2)}${fmt(r.p99, 2)}${fmt(r.non2xx + r.errors)}`,
  );
}
console.log("\nratios (same run):");
for (const connections of connectionsList) {
  const echo = rows.find((r) => r.target.startsWith("echo") && r.connections === connections);
  const predict = rows.find((r) => r.target === "infergate predict" && r.connections === connections);
  if (echo && predict) console.log(`  predict / echo at c=${connections}: ${(predict.rps / echo.rps).toFixed(2)}×`);
}
writeFileSync(`${opts.out}/latest.json`, `${JSON.stringify({ seconds, rows }, null, 2)}\n`);
const failed = rows.filter((r) => r.non2xx + r.errors > 0);
if (failed.length) {
  console.error(`\nnon-2xx or errors in: ${failed.map((r) => `${r.target} c=${r.connections}`).join(", ")}`);
  process.exit(1);
}
