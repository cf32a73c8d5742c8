/**
 * Prometheus (the pinned 2.42, scripts/tools.sh prometheus) scraping production's /metrics every
 * second, its TSDB in the rehearsal's scratch folder: the service at a fixed address (local), or
 * the targets a file lists and rewrites as pods come and go, each with its own labels (kube: the
 * ServiceMonitor's namespace, job, pod and live track). The canary verdict and the report's charts
 * read what it stored, as Argo Rollouts' analysis reads the cluster's Prometheus.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "../load-gate/service-under-test.js";
import { pinnedTool } from "./checkout.js";
import type { Supervisor } from "./supervisor.js";
import { answers200, waitUntil } from "./wait.js";

/** The scrape job: the judge's queries select it (`--selector 'job="production"'`). */
export const SCRAPE_JOB = "production";
export const SCRAPE_INTERVAL_SECONDS = 1;

export type Prometheus = { url: string; selector: string };

/**
 * What to scrape: fixed targets (job `production`), or file-based discovery of a file whose
 * targets carry their labels, `job` included, which the judge's queries select with `selector`.
 */
export type Scrape = { targets: string[] } | { file: string; selector: string };

export async function startPrometheus(
  supervisor: Supervisor,
  root: string,
  scratch: string,
  scrape: Scrape,
): Promise<Prometheus> {
  const bin = await pinnedTool(supervisor, root, "prometheus");
  const interval = `${SCRAPE_INTERVAL_SECONDS}s`;
  const discovery =
    "targets" in scrape
      ? { static_configs: [{ targets: scrape.targets }] }
      : { file_sd_configs: [{ files: [scrape.file], refresh_interval: interval }] };
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [{ job_name: SCRAPE_JOB, ...discovery }],
  };
  // JSON is YAML: no YAML writer needed.
  await writeFile(join(scratch, "prometheus.yml"), JSON.stringify(config, null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const p = supervisor.start(
    "prometheus",
    bin,
    [
      `--config.file=${join(scratch, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(scratch, "prometheus-data")}`,
      "--storage.tsdb.retention.time=2h",
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { cwd: scratch },
  );
  await waitUntil(supervisor, "prometheus", () => answers200(`${url}/-/ready`), {
    timeoutMs: 60_000,
    process: p,
  });
  // Discovered targets come later, with the pods; the platform waits for them.
  if (!("targets" in scrape)) return { url, selector: scrape.selector };
  // Ready is not scraped: wait for the first successful scrape of the service.
  await waitUntil(
    supervisor,
    "prometheus scraping the service",
    async () => {
      const res = await fetch(
        `${url}/api/v1/query?query=${encodeURIComponent(`up{job="${SCRAPE_JOB}"} == 1`)}`,
      );
      const body = (await res.json()) as { data?: { result?: unknown[] } };
      return (body.data?.result?.length ?? 0) > 0;
    },
    { timeoutMs: 30_000, process: p },
  );
  return { url, selector: `job="${SCRAPE_JOB}"` };
}
