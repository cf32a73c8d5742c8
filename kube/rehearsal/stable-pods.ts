/**
 * Production is up on the cluster when the Rollout is Healthy, every replica behind the stable
 * Service has a process serving production's version (the ALB's health check passes), and
 * Prometheus scrapes them all: then production's traffic can start.
 */
import { RehearsalError } from "../../tools/src/rehearse/errors.js";
import type { SiteOptions } from "../../tools/src/rehearse/site-options.js";
import { waitUntil } from "../../tools/src/rehearse/wait.js";
import { RELEASE } from "../lib/helm.js";
import type { LocalPod } from "../lib/local-pods.js";
import { scrapeSelector } from "../lib/scrape-targets.js";
import type { KubeProduction } from "./kube-production.js";
import { NAMESPACE } from "./lines.js";

const TIMEOUT_MS = 180_000;

export async function waitForStable(
  o: SiteOptions,
  k: KubeProduction,
  prometheus: string,
): Promise<LocalPod[]> {
  const version = String(o.production.version);
  let replicas = 0;
  const serving = () => k.router.targets(`${RELEASE}-stable`);
  try {
    await waitUntil(
      o.supervisor,
      `the Rollout Healthy with every stable pod serving v${version}`,
      async () => {
        const rollout = await k.recorder.poll();
        replicas = rollout.spec.replicas ?? 1;
        const pods = serving();
        return (
          rollout.status?.phase === "Healthy" &&
          pods.length === replicas &&
          pods.every((p) => p.versions.join() === version)
        );
      },
      { timeoutMs: TIMEOUT_MS },
    );
    const up = `count(up{${scrapeSelector({ namespace: NAMESPACE, job: RELEASE })}} == 1)`;
    await waitUntil(
      o.supervisor,
      "Prometheus scraping every pod",
      async () => {
        const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(up)}`);
        const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
        return Number(body.data?.result?.[0]?.value[1] ?? 0) >= replicas;
      },
      { timeoutMs: 30_000 },
    );
  } catch (err) {
    if (err instanceof RehearsalError && k.pods.errors.length > 0)
      err.message += `; the pods' processes: ${k.pods.errors.join("; ")}`;
    throw err;
  }
  return serving();
}
