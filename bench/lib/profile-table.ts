import type { BreakdownRow } from "./breakdown.js";

/**
 * bench/profile.ts's table (issue #25): per category of breakdown-categories.ts, the µs per
 * answered request of each profiled target and its share of the measured window, then the
 * server's CPU per request from /proc, the profiler's own cost, req/s and p99. It is rendered
 * from profile.json's `results`, so a committed profile.md can be checked against its JSON.
 */
export type Profiled = {
  target: string;
  name: string;
  rps: number;
  p99: number;
  busyUs: number;
  /** The profiler's own thread (not the server's work; left out of every other figure). */
  profilerUs: number;
  rows: BreakdownRow[];
};

/** What bench/profile.ts writes to profile.json. */
export type ProfileRun = {
  /** What was measured (bench/profile.ts --label). */
  label?: string;
  date: string;
  loadavg: { before: number[]; after: number[] };
  connections: number;
  seconds: number;
  results: Profiled[];
};

/** Per category, µs per answered request for each target (most costly first, in the last target). */
export function profileTable(rs: readonly Profiled[]): string {
  const last = rs[rs.length - 1];
  const ids = [...new Set([...(last?.rows ?? []), ...rs.flatMap((r) => r.rows)].map((r) => r.id))];
  const title = new Map(rs.flatMap((r) => r.rows).map((r) => [r.id, r.title]));
  const cell = (r: Profiled, id: string) => {
    const row = r.rows.find((x) => x.id === id);
    return row ? `${row.usPerRequest.toFixed(2)} (${(100 * row.share).toFixed(1)} %)` : "–";
  };
  const lines = [
    `| µs per answered request (share of the window) | ${rs.map((r) => r.name).join(" | ")} |`,
    `| --- | ${rs.map(() => "---:").join(" | ")} |`,
    ...ids.map((id) => `| ${title.get(id)} | ${rs.map((r) => cell(r, id)).join(" | ")} |`),
    `| **server CPU per request (all threads, from /proc)** | ${rs.map((r) => `**${r.busyUs.toFixed(2)}**`).join(" | ")} |`,
    `| (not counted above: V8's profiler thread, the measurement's own cost) | ${rs.map((r) => r.profilerUs.toFixed(2)).join(" | ")} |`,
    `| req/s in the window | ${rs.map((r) => r.rps.toFixed(0)).join(" | ")} |`,
    `| p99 ms | ${rs.map((r) => r.p99.toFixed(2)).join(" | ")} |`,
  ];
  return `${lines.join("\n")}\n`;
}
