/**
 * The charts' data: per track, requests/s, p95 latency and error rate over the whole rehearsal,
 * read back from the Prometheus that scraped production (the same series the verdict judged).
 */
import { PrometheusClient, type RangeSeries } from "../../canary-judge/prometheus.js";
import type { Series, Timeline } from "./types.js";

/** One point every 2 s, each over the last 6 s (six scrapes): smooth enough to read, fine enough to see a step. */
export const TIMELINE_STEP_SECONDS = 2;
const RANGE = "6s";

export function timelineQueries(selector: string) {
  const requests = `infergate_inference_requests_total{${selector}}`;
  const counted = `infergate_inference_requests_total{${selector}, outcome!="client_error"}`;
  const errors = `infergate_inference_requests_total{${selector}, outcome=~"server_error|timeout|rejected"}`;
  return {
    requests_per_second: `sum by (track) (rate(${requests}[${RANGE}]))`,
    p95_latency_seconds: `histogram_quantile(0.95, sum by (le, track) (rate(infergate_inference_duration_seconds_bucket{${selector}}[${RANGE}])))`,
    // Tracks without a single error have no error series: add theirs as zeros.
    error_rate: `sum by (track) (rate(${errors}[${RANGE}]) or 0 * rate(${counted}[${RANGE}])) / sum by (track) (rate(${counted}[${RANGE}]))`,
  } as const;
}

function toSeries(result: RangeSeries[], start: number, points: number, decimals: number): Series {
  const out: Series = {};
  for (const s of result) {
    const track = s.labels.track ?? "unlabelled";
    const values: (number | null)[] = Array.from({ length: points }, () => null);
    for (const { time, value } of s.values) {
      const i = Math.round((time - start) / TIMELINE_STEP_SECONDS);
      if (i >= 0 && i < points && Number.isFinite(value)) values[i] = Number(value.toFixed(decimals));
    }
    out[track] = values;
  }
  return out;
}

export async function readTimeline(
  prometheusUrl: string,
  selector: string,
  from: number,
  to: number,
): Promise<Timeline> {
  const client = new PrometheusClient(prometheusUrl);
  const start = Math.floor(from);
  const points = Math.floor((to - start) / TIMELINE_STEP_SECONDS) + 1;
  const end = start + (points - 1) * TIMELINE_STEP_SECONDS;
  const q = timelineQueries(selector);
  const [rps, p95, errors] = await Promise.all([
    client.queryRange(q.requests_per_second, start, end, TIMELINE_STEP_SECONDS),
    client.queryRange(q.p95_latency_seconds, start, end, TIMELINE_STEP_SECONDS),
    client.queryRange(q.error_rate, start, end, TIMELINE_STEP_SECONDS),
  ]);
  return {
    start,
    step: TIMELINE_STEP_SECONDS,
    requests_per_second: toSeries(rps, start, points, 2),
    p95_latency_seconds: toSeries(p95, start, points, 5),
    error_rate: toSeries(errors, start, points, 5),
  };
}
