/**
 * The targets file of Prometheus's file-based discovery for the local pods: one target per
 * running pod with the labels the chart's ServiceMonitor gives it (namespace, job: the Service's
 * name, pod) and, as with metrics.serviceMonitor.trackFromPodLabel, `track` from the Pod's live
 * label (the process's own `track` is kept as `exported_track`). Rewritten whenever pods come, go
 * or are relabelled, as the Prometheus operator's discovery follows Pods.
 */
import { renameSync, writeFileSync } from "node:fs";
import type { LocalPod } from "./local-pods.js";

export type ScrapeLabels = { namespace: string; job: string };

export function writeScrapeTargets(file: string, pods: LocalPod[], labels: ScrapeLabels): void {
  const groups = pods.map((pod) => ({
    targets: [new URL(pod.url).host],
    labels: { ...labels, pod: pod.name, track: pod.track },
  }));
  // Renamed into place: Prometheus never reads a half-written file.
  writeFileSync(`${file}.tmp`, JSON.stringify(groups));
  renameSync(`${file}.tmp`, file);
}

/** The label matchers that select those targets (what the chart's AnalysisTemplate queries with). */
export function scrapeSelector(labels: ScrapeLabels): string {
  return `namespace="${labels.namespace}", job="${labels.job}"`;
}
