import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "../../../service/test/support/net.js";
import { REPO_ROOT } from "../../../service/test/support/paths.js";
import { type CliResult, runCli } from "./cli.js";

const TOOLS_BIN = `${REPO_ROOT}.tools/bin`;

function runs(bin: string): boolean {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return r.status === 0 && /version 2\.42/.test(`${r.stdout}${r.stderr}`);
}

/**
 * The pinned Prometheus (2.42, Debian's package, as scripts/tools.sh installs it): the
 * .tools/bin link when it works, else the binary on PATH outside .tools/bin. Only when neither
 * runs is scripts/tools.sh called (with .tools/bin off PATH, so it links the real binary).
 * The link is left alone otherwise: tools.sh run with .tools/bin first on PATH (as
 * scripts/test.sh does) can replace it with a link to itself, and a repair here would only move
 * the breakage to the next step.
 */
export function ensurePrometheus(): string {
  const linked = `${TOOLS_BIN}/prometheus`;
  if (existsSync(linked) && runs(linked)) return linked;
  const path = (process.env.PATH ?? "")
    .split(":")
    .filter((d) => d && !d.startsWith(TOOLS_BIN))
    .join(":");
  const found = spawnSync("bash", ["-c", "command -v prometheus"], {
    encoding: "utf8",
    env: { ...process.env, PATH: path },
  });
  const onPath = found.stdout.trim();
  if (found.status === 0 && onPath && runs(onPath)) return onPath;
  const r = spawnSync("bash", ["scripts/tools.sh", "prometheus"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, PATH: path },
  });
  if (r.status !== 0 || !runs(linked))
    throw new Error(`scripts/tools.sh prometheus failed:\n${r.stdout}${r.stderr}`);
  return linked;
}

export type ScrapeJob = {
  job: string;
  /** host:port of each /metrics endpoint */
  targets: string[];
  /** target labels added to every series (e.g. namespace) */
  labels?: Record<string, string>;
};

export type PrometheusProcess = {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
};

/**
 * Starts a real Prometheus on 127.0.0.1 and a free port, scraping `jobs` every `scrapeInterval`,
 * with its TSDB in a temporary folder (removed on stop) and a short retention.
 */
export async function startPrometheus(
  jobs: readonly ScrapeJob[],
  options: { scrapeInterval?: string; timeoutMs?: number } = {},
): Promise<PrometheusProcess> {
  const bin = ensurePrometheus();
  const dir = await mkdtemp(join(tmpdir(), "infergate-prometheus-"));
  const interval = options.scrapeInterval ?? "1s";
  // JSON is YAML: no YAML writer needed.
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    scrape_configs: jobs.map((j) => ({
      job_name: j.job,
      metrics_path: "/metrics",
      static_configs: [{ targets: j.targets, labels: j.labels ?? {} }],
    })),
  };
  await writeFile(join(dir, "prometheus.yml"), JSON.stringify(config, null, 2));
  const port = await freePort();
  const child = spawn(
    bin,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      "--storage.tsdb.retention.time=15m",
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => child.exitCode !== null || (await fetch(`${url}/-/ready`)).ok,
      options.timeoutMs ?? 30_000,
      "prometheus /-/ready",
    );
    if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}`);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return { url, child, output: () => out, stop };
}

/** Instant query through the HTTP API (numbers of the result vector, by series). */
export async function promQuery(
  url: string,
  query: string,
  time?: number,
): Promise<{ labels: Record<string, string>; value: number }[]> {
  const params = new URLSearchParams({ query, ...(time !== undefined ? { time: String(time) } : {}) });
  const res = await fetch(`${url}/api/v1/query`, { method: "POST", body: params });
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== "success") throw new Error(`query failed: ${body.error}\n${query}`);
  return (body.data?.result ?? []).map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
}

/** Waits until every target of every job has been scraped successfully (up == 1). */
export async function waitForTargetsUp(url: string, expected: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () => (await promQuery(url, "up == 1")).length >= expected,
    timeoutMs,
    `${expected} prometheus targets up`,
  );
}

export type CanaryCliResult = CliResult;

/** Runs `infergate canary evaluate` as its own process (as `npm run canary:evaluate`), killed after `timeoutMs`. */
export function runCanaryEvaluate(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CanaryCliResult> {
  return runCli("canary evaluate", args, env, timeoutMs);
}
