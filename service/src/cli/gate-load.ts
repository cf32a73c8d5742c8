/**
 * `npm run gate:load`: the k6 load gate. Starts the service under test (the TypeScript source, or
 * the compiled build with --built) on a free 127.0.0.1 port with the candidate model, waits for
 * readiness, runs `k6 run loadtest/<stage>.js` against it, stops the service and exits with the
 * gate's verdict:
 *
 *   0  every threshold held
 *   1  the gate failed (k6 exit 99: a threshold was crossed)
 *   2  usage error, or the run could not be carried out (service did not start, k6 missing/crashed,
 *      no summary written, time limit hit)
 *
 * Every child process is stopped on every path (normal end, error, SIGINT/SIGTERM), and every
 * wait is bounded.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, symlink } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

export const EXIT_PASS = 0;
export const EXIT_GATE_FAILED = 1;
export const EXIT_ERROR = 2;
/** k6's exit code when thresholds were crossed (ThresholdsHaveFailed). */
export const K6_THRESHOLDS_FAILED = 99;

const STAGES = ["smoke", "load", "stress"] as const;
export type Stage = (typeof STAGES)[number];

class UsageError extends Error {}
class RunError extends Error {}

const USAGE = `Usage: npm run gate:load -- [options]

Runs the k6 load gate (loadtest/<stage>.js) against the service started from this checkout.

Stage and target
  --stage <smoke|load|stress>   k6 script to run (default: load)
  --model <name>                model to load and call (default: digits, or the candidate manifest's name)
  --candidate <dir>             candidate model: one version directory (manifest.json + model.onnx)
                                or a repository root (<model>/<version>/manifest.json)
  --model-repository <uri>      repository to serve instead: file:///abs/path, /abs/path or s3://bucket/prefix
  --version-policy <policy>     INFERGATE_VERSION_POLICY for the service (default: latest:1)
  --built                       run the compiled dist/service/src/server.js (npm run build first)
  --base-url <url>              test a service that is already running; start nothing
  --server-env KEY=VALUE        extra environment for the service (repeatable)
  --data <file.jsonl>           request rows (default: models/repository/<model>/validation.jsonl)

Load shape (defaults per stage in loadtest/stages.json)
  --duration <d>                e.g. 30s, 2m
  --rate <n>                    arrival rate, requests/s (load, stress)
  --peak-rate <n>               spike rate, requests/s (stress)
  --vus <n>                     virtual users (smoke)
  --batch <n>                   rows per request (default: 1)

Thresholds (defaults per stage in loadtest/stages.json; environment P95_MS etc. also apply)
  --p95-ms <ms>  --p99-ms <ms>  --max-error-rate <fraction>  --min-rps <n>

Output and limits
  --summary-dir <dir>           where summary.json, summary.md, k6-data.json and server.log go
                                (default: loadtest/results/<stage>)
  --k6 <path>                   k6 binary (default: $K6_BIN or .tools/bin/k6, see scripts/tools.sh)
  --ready-timeout <seconds>     how long the service may take to become ready (default: 90)
  -h, --help

Exit status: 0 pass, 1 gate failed (a threshold was crossed), 2 usage or run error.`;

// ---------------------------------------------------------------------------------------------
// Arguments

export type GateOptions = {
  stage: Stage;
  model: string | undefined;
  candidate: string | undefined;
  modelRepository: string | undefined;
  versionPolicy: string;
  built: boolean;
  baseUrl: string | undefined;
  serverEnv: Record<string, string>;
  data: string | undefined;
  duration: string | undefined;
  rate: number | undefined;
  peakRate: number | undefined;
  vus: number | undefined;
  batch: number | undefined;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
  maxErrorRate: number | undefined;
  minRps: number | undefined;
  summaryDir: string | undefined;
  k6: string | undefined;
  readyTimeoutMs: number;
  help: boolean;
};

function positive(name: string, raw: string | undefined, { integer = false, allowZero = false } = {}) {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  const ok = Number.isFinite(v) && (allowZero ? v >= 0 : v > 0) && (!integer || Number.isInteger(v));
  if (raw.trim() === "" || !ok) {
    throw new UsageError(
      `--${name} ${raw}: expected a ${integer ? "whole " : ""}number ${allowZero ? ">= 0" : "> 0"}`,
    );
  }
  return v;
}

/** "1m30s" | "30s" | "500ms" → milliseconds (the subset k6 and loadtest/lib/config.js accept). */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (unit[m[2] as string] as number);
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new UsageError(`invalid duration "${text}" (use e.g. 500ms, 30s, 2m, 1m30s)`);
  }
  return total;
}

function parseRaw(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      stage: { type: "string", default: "load" },
      model: { type: "string" },
      candidate: { type: "string" },
      "model-repository": { type: "string" },
      "version-policy": { type: "string", default: "latest:1" },
      built: { type: "boolean", default: false },
      "base-url": { type: "string" },
      "server-env": { type: "string", multiple: true, default: [] },
      data: { type: "string" },
      duration: { type: "string" },
      rate: { type: "string" },
      "peak-rate": { type: "string" },
      vus: { type: "string" },
      batch: { type: "string" },
      "p95-ms": { type: "string" },
      "p99-ms": { type: "string" },
      "max-error-rate": { type: "string" },
      "min-rps": { type: "string" },
      "summary-dir": { type: "string" },
      k6: { type: "string" },
      "ready-timeout": { type: "string", default: "90" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

export function parseGateArgs(argv: string[]): GateOptions {
  let values: ReturnType<typeof parseRaw>["values"];
  try {
    values = parseRaw(argv).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const stage = values.stage as string;
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw new UsageError(`--stage ${stage}: expected one of ${STAGES.join(", ")}`);
  }
  if (values.candidate !== undefined && values["model-repository"] !== undefined) {
    throw new UsageError("--candidate and --model-repository are alternatives; give one");
  }
  if (
    values["base-url"] !== undefined &&
    (values.candidate !== undefined || values["model-repository"] !== undefined || values.built)
  ) {
    throw new UsageError(
      "--base-url tests a running service; it cannot be combined with --candidate, --model-repository or --built",
    );
  }
  if (values["base-url"] !== undefined && !/^https?:\/\/[^/]+/.test(values["base-url"])) {
    throw new UsageError(`--base-url ${values["base-url"]}: expected http(s)://host[:port]`);
  }
  if (values.duration !== undefined) parseDuration(values.duration);
  const serverEnv: Record<string, string> = {};
  for (const pair of values["server-env"] as string[]) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--server-env ${pair}: expected KEY=VALUE`);
    serverEnv[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const maxErrorRate = positive("max-error-rate", values["max-error-rate"], { allowZero: true });
  if (maxErrorRate !== undefined && maxErrorRate > 1) {
    throw new UsageError(`--max-error-rate ${maxErrorRate}: expected a fraction between 0 and 1`);
  }
  return {
    stage: stage as Stage,
    model: values.model,
    candidate: values.candidate,
    modelRepository: values["model-repository"],
    versionPolicy: values["version-policy"] as string,
    built: values.built as boolean,
    baseUrl: values["base-url"]?.replace(/\/+$/, ""),
    serverEnv,
    data: values.data,
    duration: values.duration,
    rate: positive("rate", values.rate, { integer: true }),
    peakRate: positive("peak-rate", values["peak-rate"], { integer: true }),
    vus: positive("vus", values.vus, { integer: true }),
    batch: positive("batch", values.batch, { integer: true }),
    p95Ms: positive("p95-ms", values["p95-ms"]),
    p99Ms: positive("p99-ms", values["p99-ms"]),
    maxErrorRate,
    minRps: positive("min-rps", values["min-rps"], { allowZero: true }),
    summaryDir: values["summary-dir"],
    k6: values.k6,
    readyTimeoutMs: (positive("ready-timeout", values["ready-timeout"]) as number) * 1000,
    help: values.help as boolean,
  };
}

/** k6's exit code → the gate's. */
export function gateExitCode(k6Code: number | null, reportPassed: boolean | undefined): number {
  if (k6Code === K6_THRESHOLDS_FAILED) return EXIT_GATE_FAILED;
  if (k6Code !== 0) return EXIT_ERROR;
  if (reportPassed === undefined) return EXIT_ERROR;
  // k6 does not evaluate a threshold whose metric got no samples; the report counts it as failed.
  return reportPassed ? EXIT_PASS : EXIT_GATE_FAILED;
}

// ---------------------------------------------------------------------------------------------
// Processes: every child is tracked and stopped on every exit path.

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

function waitExit(child: ChildProcess, ms: number): Promise<Exit | undefined> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolveExit(undefined);
    }, ms);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolveExit({ code, signal });
    };
    child.once("exit", onExit);
  });
}

const stopping = new WeakMap<ChildProcess, Promise<Exit>>();

/**
 * SIGTERM, then SIGKILL after `graceMs`; resolves with how the child ended. Idempotent: a second
 * call waits for the first instead of sending another SIGTERM (the service treats a second one as
 * fatal, as Node does once its handler has run).
 */
function stop(child: ChildProcess, graceMs: number): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  let pending = stopping.get(child);
  if (!pending) {
    pending = (async () => {
      child.kill("SIGTERM");
      const graceful = await waitExit(child, graceMs);
      if (graceful) return graceful;
      child.kill("SIGKILL");
      return (await waitExit(child, 5000)) ?? { code: null, signal: "SIGKILL" as NodeJS.Signals };
    })();
    stopping.set(child, pending);
  }
  return pending;
}

async function cleanup(): Promise<void> {
  await Promise.all([...children].map((c) => stop(c, 5000)));
  await Promise.all([...tempDirs].map((d) => rm(d, { recursive: true, force: true })));
  tempDirs.clear();
}

let signalled = false;
function installSignalHandlers(): void {
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      if (signalled) return;
      signalled = true;
      process.stderr.write(`gate:load: ${sig}, stopping the service and k6\n`);
      void cleanup().finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
    });
  }
  // Last resort (e.g. an uncaught error): never leave a child behind.
  process.on("exit", () => {
    for (const c of children) c.kill("SIGKILL");
  });
}

// ---------------------------------------------------------------------------------------------
// Set-up helpers

/** The checkout root: the nearest ancestor with loadtest/stages.json (works from src and dist). */
export function findRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "loadtest", "stages.json"))) return dir;
    if (dirname(dir) === dir) break;
  }
  if (existsSync(join(process.cwd(), "loadtest", "stages.json"))) return process.cwd();
  throw new RunError("cannot find the checkout root (a directory with loadtest/stages.json)");
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolvePort(port) : reject(new RunError("no free port"))));
    });
  });
}

type Repository = { uri: string; model: string };

/** --candidate / --model-repository / default → the repository URI the service loads, and the model. */
async function resolveRepository(opts: GateOptions, root: string): Promise<Repository> {
  if (opts.modelRepository !== undefined) {
    const r = opts.modelRepository;
    const uri = r.startsWith("file://") || r.startsWith("s3://") ? r : `file://${resolve(r)}`;
    return { uri, model: opts.model ?? "digits" };
  }
  if (opts.candidate === undefined) {
    return { uri: `file://${join(root, "models", "repository")}`, model: opts.model ?? "digits" };
  }
  const dir = resolve(opts.candidate);
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new UsageError(`--candidate ${opts.candidate}: not a directory`);
  const manifestPath = join(dir, "manifest.json");
  if (existsSync(manifestPath)) {
    // One version directory: serve it from a throw-away repository <tmp>/<model>/<version>/.
    let manifest: { name?: unknown; version?: unknown };
    try {
      manifest = JSON.parse(await readFile(manifestPath, "utf8"));
    } catch (err) {
      throw new UsageError(`${manifestPath}: not JSON (${(err as Error).message})`);
    }
    const name = typeof manifest.name === "string" ? manifest.name : undefined;
    const version = Number(manifest.version);
    if (!name || !Number.isInteger(version) || version < 1) {
      throw new UsageError(`${manifestPath}: needs "name" and a positive integer "version"`);
    }
    if (opts.model !== undefined && opts.model !== name) {
      throw new UsageError(`--model ${opts.model} but the candidate manifest is for "${name}"`);
    }
    if (!existsSync(join(dir, "model.onnx")))
      throw new UsageError(`--candidate ${opts.candidate}: no model.onnx`);
    const repo = await mkdtemp(join(tmpdir(), "infergate-gate-repo-"));
    tempDirs.add(repo);
    const versionDir = join(repo, name, String(version));
    await mkdir(versionDir, { recursive: true });
    await symlink(join(dir, "manifest.json"), join(versionDir, "manifest.json"));
    await symlink(join(dir, "model.onnx"), join(versionDir, "model.onnx"));
    return { uri: `file://${repo}`, model: name };
  }
  const model = opts.model ?? "digits";
  if (!existsSync(join(dir, model))) {
    throw new UsageError(
      `--candidate ${opts.candidate}: neither a version directory (manifest.json) nor a repository with ${model}/`,
    );
  }
  return { uri: `file://${dir}`, model };
}

function tail(file: string, lines = 30): string {
  try {
    const text = readFileSync(file, "utf8").trimEnd().split("\n");
    return text
      .slice(-lines)
      .map((l) => `    | ${l}`)
      .join("\n");
  } catch {
    return "    | (no log)";
  }
}

type Server = { child: ChildProcess; baseUrl: string; log: string };

async function startServer(
  opts: GateOptions,
  root: string,
  repo: Repository,
  summaryDir: string,
  cacheDir: string,
): Promise<Server> {
  const entry = opts.built
    ? join(root, "dist", "service", "src", "server.js")
    : join(root, "service", "src", "server.ts");
  if (!existsSync(entry)) {
    throw new UsageError(`${entry} does not exist${opts.built ? " (run npm run build first)" : ""}`);
  }
  const args = opts.built ? [entry] : ["--import", "tsx", entry];
  const log = join(summaryDir, "server.log");
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("INFERGATE_") && k !== "PORT" && k !== "HOST"),
  );
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const env = {
      ...inherited,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      INFERGATE_MODEL_REPOSITORY: repo.uri,
      INFERGATE_MODELS: repo.model,
      INFERGATE_VERSION_POLICY: opts.versionPolicy,
      INFERGATE_MODEL_CACHE_DIR: cacheDir,
      INFERGATE_DRAIN_TIMEOUT_MS: "5000",
      ...opts.serverEnv,
    };
    const fd = openSync(log, "w");
    let child: ChildProcess;
    try {
      child = track(spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", fd, fd] }));
    } finally {
      closeSync(fd);
    }
    const baseUrl = `http://127.0.0.1:${port}`;
    process.stdout.write(
      `gate:load: started the service (pid ${child.pid}) at ${baseUrl} from ${repo.uri}\n`,
    );
    const outcome = await waitReady(child, baseUrl, opts.readyTimeoutMs);
    if (outcome === "ready") return { child, baseUrl, log };
    if (outcome === "exited" && attempt < 3 && /EADDRINUSE/.test(readFileSync(log, "utf8"))) {
      process.stdout.write(`gate:load: port ${port} was taken meanwhile; retrying\n`);
      continue;
    }
    await stop(child, 5000);
    const why =
      outcome === "exited"
        ? `exited with ${child.exitCode ?? child.signalCode}`
        : `was not ready within ${opts.readyTimeoutMs / 1000}s`;
    throw new RunError(`the service ${why}; last lines of ${log}:\n${tail(log)}`);
  }
  throw new RunError("could not start the service");
}

async function waitReady(
  child: ChildProcess,
  baseUrl: string,
  timeoutMs: number,
): Promise<"ready" | "exited" | "timeout"> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return "exited";
    try {
      const res = await fetch(`${baseUrl}/v2/health/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return "ready";
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return "timeout";
}

type Report = {
  passed: boolean;
  model_version: string | null;
  metrics: Record<string, number | null>;
  thresholds: { label: string; expression: string; actual: number | null; ok: boolean }[];
};

function readReport(file: string, notBefore: number): Report | undefined {
  try {
    if (statSync(file).mtimeMs < notBefore) return undefined; // left over from an earlier run
    return JSON.parse(readFileSync(file, "utf8")) as Report;
  } catch {
    return undefined;
  }
}

function k6Env(opts: GateOptions, baseUrl: string, model: string, data: string, summaryDir: string) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    K6_NO_USAGE_REPORT: "true",
    BASE_URL: baseUrl,
    MODEL: model,
    DATA_FILE: data,
    SUMMARY_DIR: summaryDir,
  };
  const set = (name: string, v: string | number | undefined) => {
    if (v !== undefined) env[name] = String(v);
  };
  set("DURATION", opts.duration);
  set("RATE", opts.rate);
  set("PEAK_RATE", opts.peakRate);
  set("VUS", opts.vus);
  set("BATCH", opts.batch);
  set("P95_MS", opts.p95Ms);
  set("P99_MS", opts.p99Ms);
  set("MAX_ERROR_RATE", opts.maxErrorRate);
  set("MIN_RPS", opts.minRps);
  return env;
}

/** The k6 run's duration: --duration, else $DURATION, else the stage default in stages.json. */
function plannedDurationMs(opts: GateOptions, root: string): number {
  if (opts.duration !== undefined) return parseDuration(opts.duration);
  if (process.env.DURATION) return parseDuration(process.env.DURATION);
  const stages = JSON.parse(readFileSync(join(root, "loadtest", "stages.json"), "utf8")) as Record<
    string,
    { duration?: string }
  >;
  return parseDuration(stages[opts.stage]?.duration ?? "60s");
}

// ---------------------------------------------------------------------------------------------

export async function runGate(opts: GateOptions): Promise<number> {
  const root = findRoot();
  const summaryDir = resolve(opts.summaryDir ?? join(root, "loadtest", "results", opts.stage));
  await mkdir(summaryDir, { recursive: true });
  const k6 = opts.k6 ?? process.env.K6_BIN ?? join(root, ".tools", "bin", "k6");
  if (!existsSync(k6))
    throw new UsageError(`k6 not found at ${k6}; install it with: bash scripts/tools.sh k6`);
  const script = join(root, "loadtest", `${opts.stage}.js`);

  let server: Server | undefined;
  let baseUrl = opts.baseUrl;
  let model = opts.model ?? "digits";
  try {
    if (baseUrl === undefined) {
      const repo = await resolveRepository(opts, root);
      model = repo.model;
      const cacheDir = await mkdtemp(join(tmpdir(), "infergate-gate-cache-"));
      tempDirs.add(cacheDir);
      server = await startServer(opts, root, repo, summaryDir, cacheDir);
      baseUrl = server.baseUrl;
    }
    const data = resolve(opts.data ?? join(root, "models", "repository", model, "validation.jsonl"));
    if (!existsSync(data)) throw new UsageError(`request data ${data} does not exist (give --data)`);

    const limitMs = plannedDurationMs(opts, root) + 150_000; // + setup (≤60 s), graceful stop, summary
    const started = Date.now();
    process.stdout.write(
      `gate:load: k6 run ${script} (stage ${opts.stage}, limit ${Math.round(limitMs / 1000)}s)\n`,
    );
    const k6Child = track(
      spawn(k6, ["run", "--quiet", "--no-usage-report", "--no-color", script], {
        cwd: root,
        env: k6Env(opts, baseUrl, model, data, summaryDir),
        stdio: ["ignore", "inherit", "inherit"],
      }),
    );
    const spawnError = new Promise<Error>((resolveErr) => k6Child.once("error", resolveErr));
    const finished = await Promise.race([waitExit(k6Child, limitMs), spawnError]);
    if (finished instanceof Error) throw new RunError(`cannot run ${k6}: ${finished.message}`);
    if (finished === undefined) {
      await stop(k6Child, 15_000);
      throw new RunError(`k6 did not finish within ${Math.round(limitMs / 1000)}s`);
    }
    if (signalled) throw new RunError("interrupted");

    if (server) {
      const ended = await stop(server.child, 15_000);
      if (ended.code !== 0) {
        process.stdout.write(
          `gate:load: warning: the service ended with ${ended.code ?? ended.signal} after SIGTERM; see ${server.log}\n`,
        );
      }
      server = undefined;
    }

    const report = readReport(join(summaryDir, "summary.json"), started - 1000);
    const code = gateExitCode(finished.code, report?.passed);
    if (report) {
      const m = report.metrics;
      process.stdout.write(
        `gate:load: ${opts.stage} ${report.passed ? "PASS" : "FAIL"} (model ${model} v${report.model_version ?? "?"}): ` +
          `requests=${m.requests} rps=${m.rps} p95=${m.p95_ms}ms p99=${m.p99_ms}ms error_rate=${m.error_rate}\n`,
      );
      for (const t of report.thresholds.filter((x) => !x.ok)) {
        process.stdout.write(`gate:load:   crossed: ${t.label} ${t.expression} (actual ${t.actual})\n`);
      }
      process.stdout.write(`gate:load: reports in ${summaryDir} (summary.md, summary.json)\n`);
    } else {
      process.stdout.write(`gate:load: k6 wrote no summary to ${summaryDir}\n`);
    }
    const verdict =
      code === EXIT_PASS
        ? "gate passed"
        : code === EXIT_GATE_FAILED
          ? "gate failed: a threshold was crossed"
          : `gate error: k6 exited with ${finished.code ?? finished.signal}`;
    process.stdout.write(`gate:load: ${verdict} (exit ${code})\n`);
    return code;
  } finally {
    if (server) await stop(server.child, 15_000);
    await cleanup();
  }
}

async function main(argv: string[]): Promise<number> {
  let opts: GateOptions;
  try {
    opts = parseGateArgs(argv);
  } catch (err) {
    process.stderr.write(`gate:load: ${(err as Error).message}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_PASS;
  }
  installSignalHandlers();
  try {
    return await runGate(opts);
  } catch (err) {
    const prefix = err instanceof UsageError || err instanceof RunError ? "" : "unexpected: ";
    process.stderr.write(
      `gate:load: ${prefix}${err instanceof Error && prefix ? err.stack : (err as Error).message}\n`,
    );
    return EXIT_ERROR;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`gate:load: ${(err as Error).stack ?? err}\n`);
      process.exitCode = EXIT_ERROR;
    },
  );
}
