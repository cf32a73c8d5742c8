/** A Prometheus duration: one or more number-unit pairs ("1h30m", "40s", "500ms"). */
export const PROMETHEUS_DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

/** Prometheus durations ("1h30m", "40s", "500ms") in seconds. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
    w: 604800,
    y: 31536000,
  };
  if (!PROMETHEUS_DURATION.test(text))
    throw new RangeError(`"${text}" is not a duration (e.g. 40s, 5m, 1h30m)`);
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g))
    total += Number(m[1]) * (units[m[2] ?? "s"] ?? 1);
  return total;
}

/** Seconds as a PromQL duration ("40s", "5m", "1h"; milliseconds when needed). */
export function formatDuration(seconds: number): string {
  if (Number.isInteger(seconds)) {
    if (seconds % 3600 === 0 && seconds > 0) return `${seconds / 3600}h`;
    if (seconds % 60 === 0 && seconds > 0) return `${seconds / 60}m`;
    return `${seconds}s`;
  }
  return `${Math.round(seconds * 1000)}ms`;
}
