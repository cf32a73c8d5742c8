/**
 * The soak's result (bench/soak.ts) and its Markdown: a worker held at a fraction of its measured
 * capacity for minutes, its resident memory sampled after every window. Rendered from the JSON
 * alone, so the committed bench/SOAK.md can be checked against bench/SOAK.json.
 */

export type SoakWindow = {
  /** Seconds since the soak began, at the window's end. */
  at: number;
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** The server's VmRSS after the window, in bytes. */
  rss: number;
};

export type SoakResult = {
  date: string;
  machine: string;
  node: string;
  /** Closed-loop req/s at 64 connections before the soak: the capacity the rate is a fraction of. */
  capacityRps: number;
  fraction: number;
  rate: number;
  minutes: number;
  /** Windows before the RSS baseline is taken: start-up caches, JIT, allocator pools settling. */
  warmupWindows: number;
  windows: SoakWindow[];
  /** The server's VmHWM at the end, in bytes. */
  peakRss: number;
};

/** Growth limit of the resident set over the soak after warm-up (issue #21). */
export const MAX_RSS_GROWTH = 0.05;

export type SoakVerdict = {
  baselineRss: number;
  finalRss: number;
  growth: number;
  failed: number;
  pass: boolean;
};

export function verdict(r: SoakResult): SoakVerdict {
  const baseline = r.windows[r.warmupWindows - 1] ?? r.windows[0];
  const last = r.windows.at(-1);
  if (!baseline || !last) throw new Error("a soak result without windows");
  const growth = (last.rss - baseline.rss) / baseline.rss;
  const failed = r.windows.reduce((n, w) => n + w.non2xx + w.errors, 0);
  return {
    baselineRss: baseline.rss,
    finalRss: last.rss,
    growth,
    failed,
    pass: growth < MAX_RSS_GROWTH && failed === 0,
  };
}

const mib = (b: number) => (b / 2 ** 20).toFixed(1);
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

export function renderSoak(r: SoakResult): string {
  const v = verdict(r);
  const served = r.windows.reduce((n, w) => n + w.rps, 0) / r.windows.length;
  const lines = [
    `- machine: ${r.machine}; Node ${r.node}; ${r.date}`,
    `- capacity (closed loop, 64 connections): ${r.capacityRps.toFixed(0)} req/s; soak rate ${r.rate} req/s (${pct(r.fraction)} of it) for ${r.minutes} min, served ${served.toFixed(0)} req/s on average`,
    `- RSS after warm-up (${r.warmupWindows} window(s)): ${mib(v.baselineRss)} MiB; at the end: ${mib(v.finalRss)} MiB; growth ${pct(v.growth)} (limit ${pct(MAX_RSS_GROWTH)}); peak (VmHWM) ${mib(r.peakRss)} MiB`,
    `- failed requests (non-2xx or errors): ${v.failed}`,
    `- verdict: ${v.pass ? "PASS" : "FAIL"}`,
    "",
    "| at (s) | req/s | p99 (ms) | non-2xx | errors | RSS (MiB) |",
    "|---:|---:|---:|---:|---:|---:|",
    ...r.windows.map(
      (w) =>
        `| ${w.at.toFixed(0)} | ${w.rps.toFixed(0)} | ${w.p99.toFixed(2)} | ${w.non2xx} | ${w.errors} | ${mib(w.rss)} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}
