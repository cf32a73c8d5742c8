import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "./net.js";
import { REPO_ROOT } from "./paths.js";

export const PROMETHEUS_BIN = `${REPO_ROOT}.tools/bin/prometheus`;

/** Installs the pinned Prometheus (scripts/tools.sh) unless it is already linked. */
export function ensurePrometheus(): string {
  if (!existsSync(PROMETHEUS_BIN)) {
    const r = spawnSync("bash", ["scripts/tools.sh", "prometheus"], { cwd: REPO_ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`scripts/tools.sh prometheus failed:\n${r.stdout}${r.stderr}`);
  }
  return PROMETHEUS_BIN;
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

export type CanaryCliResult = { code: number | null; stdout: string; stderr: string };

/** Runs `service/src/cli/canary-evaluate.ts` as its own process (as `npm run canary:evaluate`), killed after `timeoutMs`. */
export function runCanaryEvaluate(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CanaryCliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "service/src/cli/canary-evaluate.ts", ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
