/**
 * Canary and shadow rows (issue #9): what each track actually served during a point, read from
 * the server's own /metrics before and after it, so the bench reports the real split and the
 * shadow runs done or dropped beside the throughput they cost.
 */
export type TrackCounts = { stable: number; canary: number; shadow: number; shadowDropped: number };

const SAMPLE = /^(infergate_inference_requests_total|infergate_shadow_dropped_total)\{([^}]*)\} (\S+)$/;

/** Reads one scrape of the server's /metrics. */
export async function scrapeTrackCounts(baseUrl: string): Promise<TrackCounts> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`${baseUrl}/metrics answered ${res.status}`);
  return parseTrackCounts(await res.text());
}

/** Sums the successful inference requests per track and the dropped shadow runs in a scrape. */
export function parseTrackCounts(exposition: string): TrackCounts {
  const counts: TrackCounts = { stable: 0, canary: 0, shadow: 0, shadowDropped: 0 };
  for (const line of exposition.split("\n")) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const [, name, labels = "", value] = m;
    if (name === "infergate_shadow_dropped_total") {
      counts.shadowDropped += Number(value);
      continue;
    }
    const track = /track="(stable|canary|shadow)"/.exec(labels)?.[1] as keyof TrackCounts | undefined;
    if (track && labels.includes('outcome="success"')) counts[track] += Number(value);
  }
  return counts;
}

export function diffCounts(after: TrackCounts, before: TrackCounts): TrackCounts {
  return {
    stable: after.stable - before.stable,
    canary: after.canary - before.canary,
    shadow: after.shadow - before.shadow,
    shadowDropped: after.shadowDropped - before.shadowDropped,
  };
}

/** "stable 90.1 % / canary 9.9 %" or "shadow ran 99.2 % (0.8 % dropped)" for the report. */
export function describeCounts(c: TrackCounts): string {
  const pct = (v: number, of: number) => `${of ? ((100 * v) / of).toFixed(1) : "0.0"} %`;
  const answered = c.stable + c.canary;
  const parts = [`stable ${pct(c.stable, answered)}`, `canary ${pct(c.canary, answered)}`];
  if (c.shadow + c.shadowDropped > 0)
    parts.push(`shadow ran ${pct(c.shadow, answered)} of answers, ${c.shadowDropped} dropped`);
  return parts.join(", ");
}
