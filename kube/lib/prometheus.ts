/**
 * A real Prometheus (the pinned one, `scripts/tools.sh prometheus`) scraping the local pods
 * (local-pods.ts) every second through file-based service discovery, each target with the labels
 * the chart's ServiceMonitor gives it (scrape-targets.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "../../service/test/support/net.js";
import { ensurePrometheus } from "../../tools/test/support/prometheus.js";
import type { LocalPod } from "./local-pods.js";
import { writeScrapeTargets } from "./scrape-targets.js";

export type ScrapedPrometheus = {
  url: string;
  setTargets(pods: LocalPod[]): void;
  stop(): Promise<void>;
};

export async function startPrometheus(labels: {
  namespace: string;
  job: string;
}): Promise<ScrapedPrometheus> {
  const bin = ensurePrometheus();
  const dir = mkdtempSync(join(tmpdir(), "infergate-kube-prometheus-"));
  const targetsFile = join(dir, "targets.json");
  const setTargets = (pods: LocalPod[]) => writeScrapeTargets(targetsFile, pods, labels);
  setTargets([]);
  const config = {
    global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
    scrape_configs: [
      { job_name: "pods", file_sd_configs: [{ files: [targetsFile], refresh_interval: "1s" }] },
    ],
  };
  writeFileSync(join(dir, "prometheus.yml"), JSON.stringify(config));
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      "--storage.tsdb.retention.time=1h",
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { cwd: dir, stdio: ["ignore", "ignore", "inherit"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => child.exitCode !== null || (await fetch(`${url}/-/ready`)).ok,
      60_000,
      "prometheus",
    );
    if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, setTargets, stop };
}
