import type { Observation, TrackSamples } from "./classify/types.js";
import { formatDuration } from "./definition/durations.js";
import { renderQuery } from "./definition/queries.js";
import type { MetricDefinition } from "./definition/schema.js";
import { type PrometheusClient, PrometheusQueryError } from "./prometheus.js";

/**
 * Reads what the judge compares from Prometheus. For each metric and track:
 *   - samples metrics: the value over the whole window and the count behind it (instant queries
 *     at `end` over [window]), and one value per interval (a range query whose rate() range is
 *     the step, so the intervals do not overlap: (end - window, end] cut into window/step pieces);
 *   - distribution metrics: counts per category over the window;
 *   - agreement metrics: agree / disagree counts over the window (no track: a comparison).
 */

export type CollectOptions = {
  model: string;
  /** Extra label matchers ANDed into every query, e.g. `namespace="infergate", job="infergate"`. */
  selector?: string | undefined;
  stableTrack: string;
  candidateTrack: string;
  /** unix seconds */
  end: number;
  windowSeconds: number;
  stepSeconds: number;
};

export type CollectedQuery = { metric: string; track?: string; purpose: string; query: string };

const quote = (s: string) => `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

export function selectorFor(model: string, extra?: string): string {
  const e = extra?.trim().replace(/^,|,$/g, "").trim();
  return e ? `model=${quote(model)}, ${e}` : `model=${quote(model)}`;
}

function single<T>(series: T[], query: string): T | undefined {
  if (series.length > 1) {
    throw new PrometheusQueryError(
      `query returned ${series.length} series, expected one (aggregate it):\n  ${query}`,
    );
  }
  return series[0];
}

export async function collect(
  client: PrometheusClient,
  metrics: readonly MetricDefinition[],
  o: CollectOptions,
): Promise<{ observations: Observation[]; queries: CollectedQuery[] }> {
  const selector = selectorFor(o.model, o.selector);
  const windowRange = formatDuration(o.windowSeconds);
  const stepRange = formatDuration(o.stepSeconds);
  const start = o.end - o.windowSeconds + o.stepSeconds;
  const queries: CollectedQuery[] = [];
  const render = (metric: string, template: string, track: string, range: string, purpose: string) => {
    const query = renderQuery(template, { track, selector, range });
    queries.push({ metric, track, purpose, query });
    return query;
  };

  const samplesTrack = async (
    m: Extract<MetricDefinition, { kind: "samples" }>,
    track: string,
  ): Promise<TrackSamples> => {
    const valueQ = render(m.name, m.query, track, windowRange, "window value");
    const countQ = render(m.name, m.count, track, windowRange, "sample count");
    const rangeQ = render(m.name, m.query, track, stepRange, "per-interval values");
    const [value, count, range] = await Promise.all([
      client.query(valueQ, o.end),
      client.query(countQ, o.end),
      client.queryRange(rangeQ, start, o.end, o.stepSeconds),
    ]);
    const c = single(count, countQ)?.value ?? 0;
    return {
      value: single(value, valueQ)?.value ?? Number.NaN,
      count: Number.isFinite(c) ? Math.round(c) : 0,
      intervals: (single(range, rangeQ)?.values ?? []).map((v) => v.value).filter((v) => Number.isFinite(v)),
    };
  };

  const byLabel = async (m: MetricDefinition & { label: string }, track: string | undefined) => {
    const q = track
      ? render(m.name, m.query, track, windowRange, `${m.label} counts`)
      : renderQuery(m.query, { track: "", selector, range: windowRange });
    if (!track) queries.push({ metric: m.name, purpose: `${m.label} counts`, query: q });
    const result = await client.query(q, o.end);
    const counts: Record<string, number> = {};
    for (const s of result) {
      const key = s.labels[m.label];
      if (key === undefined) {
        throw new PrometheusQueryError(
          `${m.name}: series without label "${m.label}" (use sum by (${m.label})):\n  ${q}`,
        );
      }
      if (Number.isFinite(s.value)) counts[key] = (counts[key] ?? 0) + s.value;
    }
    return counts;
  };

  const observations = await Promise.all(
    metrics.map(async (m): Promise<Observation> => {
      if (m.kind === "samples") {
        const [stable, candidate] = await Promise.all([
          samplesTrack(m, o.stableTrack),
          samplesTrack(m, o.candidateTrack),
        ]);
        return { kind: "samples", stable, candidate };
      }
      if (m.kind === "distribution") {
        const [stable, candidate] = await Promise.all([
          byLabel(m, o.stableTrack),
          byLabel(m, o.candidateTrack),
        ]);
        return { kind: "distribution", stable, candidate };
      }
      const counts = await byLabel(m, undefined);
      const disagree = counts[m.disagree] ?? 0;
      const agree = Object.entries(counts).reduce((s, [k, v]) => (k === m.disagree ? s : s + v), 0);
      return { kind: "agreement", agree, disagree };
    }),
  );
  return { observations, queries };
}
