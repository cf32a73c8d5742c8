import { mkdirSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { DIGITS_VALIDATION, writeDigitsBodies } from "./lib/bodies.js";
import { COLD_TITLE, measureColdStarts } from "./lib/cold-start.js";
import { compileBench } from "./lib/compile.js";
import { measureTensors, TENSOR_SHAPE, TENSOR_TITLE } from "./lib/large-tensors.js";
import { runLoad } from "./lib/load.js";
import { type BenchOptions, BenchUsageError, parseBenchArgs, USAGE } from "./lib/options.js";
import { emit } from "./lib/output.js";
import { pinned, runToEnd, type Started } from "./lib/processes.js";
import type { ModelKey, RawPoint } from "./lib/report.js";
import type { BenchResult } from "./lib/result.js";
import { type Round, summarise } from "./lib/rounds.js";
import { ensureBenchModels, ensureLargeModel, venvPython } from "./lib/setup.js";
import { CANDIDATE_ONNX, MODELS, type Target, targets } from "./lib/targets.js";
import { summariseTensors } from "./lib/tensor-report.js";
import { diffCounts, scrapeTrackCounts, type TrackCounts } from "./lib/tracks.js";

/**
 * `npm run bench` (issue #4): every figure in one run, side by side, on loopback, bounded in time.
 *
 * Servers under test and baselines, for the small shipped model (digits v2) and the large one
 * (digits_large, built by models/train.py --large on first use), at 1, 8 and 64 connections:
 * infergate with batching on and off (1 worker, pinned), infergate with one worker per CPU, a bare
 * Fastify echo of the same bodies (HTTP limit) and a bare node:http echo under it, a naive Fastify +
 * onnxruntime server, FastAPI + onnxruntime under uvicorn (1 worker pinned, one worker per CPU), and raw onnxruntime-node
 * in-process rows/s by batch size (compute limit). For the small model also infergate with a 10 %
 * canary and with a 100 % shadow of digits v1 beside v2 (issue #9), with the split each track
 * served read from the server's /metrics, and raw ORT of v1 (the shadow's extra inference work).
 * Issue #25's rows: one batch of images ([8, 3, 224, 224] FP32) per request over V2 JSON, V2
 * binary tensor data and gRPC beside raw ORT on the same batch and a bare node:http server reading
 * the same body (lib/large-tensors.ts), and the cold start of a ~100 MB artifact from the local S3
 * API beside its plain download (lib/cold-start.ts). Every ratio is printed beside the day's HTTP
 * floor (the bare node:http echo).
 * Single-process servers and raw ORT run pinned
 * to CPU 0, the load generator (autocannon, its own process) to CPU 1; multi-worker servers
 * cannot be pinned to one core and are marked as sharing cores with the load generator.
 *
 * Prints the table, the ratios with their targets (PASS/MISS; a MISS does not fail the command,
 * errors and non-2xx answers do), and writes bench/results/{latest.json,latest.md,throughput.svg}.
 *
 * Options: see USAGE in lib/options.ts (`npm run bench -- --help`).
 */
let opts: BenchOptions;
try {
  opts = parseBenchArgs(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof BenchUsageError)) throw err;
  process.stderr.write(`bench: ${err.message}\n(npm run bench -- --help for the options)\n`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (opts.from) {
  // Re-render the report, ratios and plot of an earlier run (its latest.json) without measuring.
  mkdirSync(opts.out, { recursive: true });
  emit(JSON.parse(readFileSync(opts.from, "utf8")) as BenchResult, opts.out);
  process.exit(0);
}
const { quick, seconds, concurrencies, serverEnv, only, retries, rounds } = opts;
const models: ModelKey[] = quick ? ["small"] : ["small", "large"];
const warmupSeconds = quick ? 1 : 2;
const NOISY_CORES = 0.2;
// Every load point first lets a fresh load generator reach full rate, unmeasured (load-worker.ts).
const SETTLE_SECONDS = 1;
const rawSeconds = quick ? 0.3 : 1;
const RAW_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256];

const nCpus = availableParallelism();
const twoCpus = nCpus >= 2;
const serverCpus = twoCpus ? "0" : undefined;
const loadCpus = twoCpus ? "1" : undefined;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

// ---- what is served (lib/targets.ts) ---------------------------------------------------------

const scripts = compileBench(log);
let peerPython: string | undefined;
const TARGETS = targets({
  serverCpus,
  nCpus,
  serverEnv,
  script: scripts.argv,
  python: () => peerPython as string,
});

const selected = (id: string) => !only || only.test(id);
const plan = models.flatMap((m) =>
  TARGETS.filter((t) => t.models.includes(m) && selected(`${m}/${t.id}`)).map((t) => ({ m, t })),
);
const rawPlan = models.filter((m) => selected(`${m}/raw-ort`));
// Issue #25's rows: in a full run, or in a quick one when --only names them.
const tensorsPlanned = (!quick || only !== undefined) && selected("tensors/small_conv");
const coldStartPlanned = (!quick || only !== undefined) && selected("cold-start/big_mlp");
if (plan.length === 0 && rawPlan.length === 0 && !tensorsPlanned && !coldStartPlanned) {
  process.stderr.write(`bench: --only ${only} selects nothing\n`);
  process.exit(2);
}

// ---- setup ------------------------------------------------------------------------------------

const load0 = loadavg();
const started = Date.now();
const perTarget = 3 + warmupSeconds + 1;
const estimate =
  plan.length * perTarget +
  rounds *
    (plan.length * concurrencies.length * (SETTLE_SECONDS + seconds + 0.6) +
      rawPlan.length * RAW_BATCHES.length * (rawSeconds + 0.2));
log(
  `${rounds} round(s) × ${plan.length} servers × ${concurrencies.length} concurrencies × ${seconds} s, raw ORT for ${rawPlan.length} model(s): about ${Math.ceil(estimate / 60)} min`,
);
log(`load average before: ${load0.map((l) => l.toFixed(2)).join(" ")}`);

if (models.includes("large") && (plan.some((p) => p.m === "large") || rawPlan.includes("large")))
  ensureLargeModel();
if (plan.some((p) => p.t.id.startsWith("fastapi"))) {
  log("FastAPI peer venv: bash scripts/venv.sh bench-peers bench/peers/requirements.txt");
  peerPython = venvPython("bench-peers", "bench/peers/requirements.txt");
}

mkdirSync(opts.out, { recursive: true });
// One request body per validation row, cycled by every connection (lib/bodies.ts).
const bodyFile = `${opts.out}/digits-rows.jsonl`;
const bodies = writeDigitsBodies(bodyFile);
const body = bodies[0] as string;

const failures: string[] = [];

// ---- raw ONNX Runtime (compute limit) ---------------------------------------------------------

async function rawOrt(model: string, batches: number[]): Promise<RawPoint[]> {
  const out = await runToEnd(
    pinned(serverCpus, [
      ...scripts.argv("bench/targets/raw-ort.ts"),
      JSON.stringify({
        model,
        batches,
        seconds: rawSeconds,
        rows: DIGITS_VALIDATION,
      }),
    ]),
  );
  return JSON.parse(out) as RawPoint[];
}

// ---- servers under load -----------------------------------------------------------------------

/** One request before measuring: a 200 with the outputs a V2 answer must have (the echo: the body). */
async function check(url: string, t: Target): Promise<void> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
  if (t.id === "echo" || t.id === "node-echo") {
    if (JSON.stringify(JSON.parse(text)) !== body) throw new Error("echo did not send the body back");
    return;
  }
  const outputs = (JSON.parse(text) as { outputs?: { name: string; data: unknown[] }[] }).outputs ?? [];
  const names = outputs.map((o) => o.name).sort();
  const label = outputs.find((o) => o.name === "label")?.data;
  const probs = outputs.find((o) => o.name === "probabilities")?.data;
  if (names.join(",") !== "label,probabilities" || label?.length !== 1 || probs?.length !== 10) {
    throw new Error(`${url}: not a V2 answer with label [1] and probabilities [1,10]: ${text.slice(0, 200)}`);
  }
}

type Running = { t: Target; s: Started; url: string };

/** Closed-loop load on a running server from the pinned load generator (lib/load.ts). */
function loadOn(
  url: string,
  s: Started,
  connections: number,
  window: { seconds: number; settleSeconds: number },
) {
  return runLoad({
    url,
    bodyFile,
    connections,
    ...window,
    cpus: loadCpus,
    script: scripts.argv,
    serverPid: s.pid,
  });
}

/** One load point; for canary/shadow targets also what each track served during it. */
async function measure({ t, s, url }: Running, connections: number) {
  const before = t.tracks ? await scrapeTrackCounts(s.url) : undefined;
  const load = await loadOn(url, s, connections, { seconds, settleSeconds: SETTLE_SECONDS });
  const tracks: TrackCounts | undefined = before
    ? diffCounts(await scrapeTrackCounts(s.url), before)
    : undefined;
  return { load, tracks };
}

/**
 * Measures one model: every target's server is started (and warmed up) once and stays up; then
 * each round measures raw ORT and every target at every concurrency, targets side by side per
 * concurrency, so the points a ratio compares are measured seconds apart (see lib/rounds.ts).
 * Idle servers wait on their sockets and cost the one being measured nothing.
 */
async function measureModel(m: ModelKey, into: Round[]): Promise<void> {
  const running: Running[] = [];
  try {
    for (const { t } of plan.filter((p) => p.m === m)) {
      const id = `${m}/${t.id}`;
      let s: Started | undefined;
      try {
        log(`${id}: starting${t.pinned ? ` (CPU ${serverCpus ?? "any"})` : " (unpinned)"}`);
        s = await t.start(m);
        const url = `${s.url}${t.path(m)}`;
        await check(url, t);
        // JIT, caches, pools.
        await loadOn(url, s, 64, { seconds: warmupSeconds, settleSeconds: 0 });
        running.push({ t, s, url });
      } catch (err) {
        failures.push(`${id}: ${(err as Error).message}`);
        log(`${id}: FAILED: ${(err as Error).message}`);
        await s?.stop();
      }
    }
    for (const [i, round] of into.entries()) {
      const n = i + 1;
      if (rawPlan.includes(m)) {
        log(`round ${n}/${rounds}: raw ORT ${m}: batch ${RAW_BATCHES.join(",")}, ${rawSeconds} s each`);
        try {
          round.raw[m] = await rawOrt(MODELS[m].onnx, RAW_BATCHES);
        } catch (err) {
          failures.push(`raw ORT ${m}: ${(err as Error).message}`);
        }
      }
      // The shadow's extra inference work: the candidate (digits v1) alone, at batch 1 and 32.
      if (running.some((r) => r.t.id === "infergate-shadow")) {
        try {
          round.rawCandidate = await rawOrt(CANDIDATE_ONNX, [1, 32]);
        } catch (err) {
          failures.push(`raw ORT candidate: ${(err as Error).message}`);
        }
      }
      for (const connections of concurrencies) {
        for (const r of running) {
          const id = `${m}/${r.t.id}`;
          try {
            // Other users' work on this shared machine shows up as CPU used by neither the server
            // nor the load generator; a point where it passed NOISY_CORES is measured again.
            let point = await measure(r, connections);
            for (let retry = 1; retry <= retries && point.load.cpu.other > NOISY_CORES; retry++) {
              log(
                `${id} c=${connections}: other processes used ${point.load.cpu.other} cores; measuring again (${retry}/${retries})`,
              );
              const again = await measure(r, connections);
              if (again.load.cpu.other < point.load.cpu.other) point = again;
            }
            const load = point.load;
            round.rows.push({
              model: m,
              target: r.t.id,
              name: r.t.name,
              pinned: r.t.pinned,
              connections,
              rowsPerRequest: 1,
              round: n,
              ...(point.tracks ? { tracks: point.tracks } : {}),
              ...load,
            });
            log(
              `round ${n}/${rounds} ${id} c=${connections}: ${load.rps.toFixed(0)} req/s, p50 ${load.p50.toFixed(2)} ms, p99 ${load.p99.toFixed(2)} ms${load.non2xx + load.errors ? `, ${load.non2xx} non-2xx, ${load.errors} errors` : ""}`,
            );
          } catch (err) {
            failures.push(`${id} c=${connections}: ${(err as Error).message}`);
            log(`${id} c=${connections}: FAILED: ${(err as Error).message}`);
          }
        }
      }
    }
  } finally {
    await Promise.all(running.map((r) => r.s.stop()));
  }
}

const allRounds: Round[] = Array.from({ length: rounds }, () => ({ rows: [], raw: {} }));
for (const m of models) {
  if (plan.some((p) => p.m === m) || rawPlan.includes(m)) await measureModel(m, allRounds);
}
if (tensorsPlanned || coldStartPlanned) ensureBenchModels();
const extraContext = { script: scripts.argv, serverCpus, loadCpus, log };
if (tensorsPlanned)
  await measureTensors(
    { ...extraContext, serverEnv, out: opts.out, seconds, rawSeconds },
    allRounds,
    failures,
  );
const artifactBytes = coldStartPlanned ? await measureColdStarts(extraContext, allRounds, failures) : 0;
const tensorRounds = allRounds.flatMap((r) => (r.tensors ? [r.tensors] : []));
const coldRounds = allRounds.flatMap((r) => (r.coldStart ? [r.coldStart] : []));
const summary = summarise(allRounds);
const rows = summary.rows;

// ---- output -----------------------------------------------------------------------------------

const result: BenchResult = {
  date: new Date().toISOString(),
  machine: `${cpus()[0]?.model ?? "unknown CPU"} × ${nCpus} CPUs, node ${process.version}`,
  cpus: nCpus,
  loadavg: { before: load0, after: loadavg() },
  // A run narrowed by --only to baselines describes no infergate server.
  server: !plan.some((p) => p.t.id.startsWith("infergate"))
    ? "not measured (no infergate target selected)"
    : Object.keys(serverEnv).length
      ? `${scripts.how} with ${Object.entries(serverEnv)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")}`
      : scripts.how,
  seconds,
  warmupSeconds,
  settleSeconds: SETTLE_SECONDS,
  bodies: bodies.length,
  serverCpus,
  loadCpus,
  concurrencies,
  models: Object.fromEntries(models.map((m) => [m, MODELS[m].title])),
  rows,
  raw: summary.raw as BenchResult["raw"],
  ...(summary.rawCandidate ? { rawCandidate: summary.rawCandidate } : {}),
  ...(tensorRounds.length
    ? { tensors: { title: TENSOR_TITLE, shape: [...TENSOR_SHAPE], ...summariseTensors(tensorRounds) } }
    : {}),
  ...(coldRounds.length ? { coldStart: { title: COLD_TITLE, artifactBytes, rounds: coldRounds } } : {}),
  rounds: allRounds,
};
emit(result, opts.out);
console.log(
  `\nwrote ${opts.out}/latest.json, latest.md, throughput.svg in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);

const bad = allRounds.flatMap((round) => round.rows).filter((r) => r.non2xx + r.errors > 0);
for (const r of bad)
  failures.push(
    `${r.model}/${r.target} c=${r.connections} (round ${r.round}): ${r.non2xx} non-2xx, ${r.errors} errors`,
  );
for (const r of tensorRounds.flatMap((t) => t.rows).filter((x) => x.non2xx + x.errors > 0))
  failures.push(`tensors/${r.protocol} (round ${r.round}): ${r.non2xx} failed requests`);
if (failures.length) {
  console.error(`\nerrors:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
