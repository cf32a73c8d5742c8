/**
 * The report's charts, hand-written SVG without dependencies: stacked panels over one time axis
 * (seconds since the rehearsal started), a line per track, the stages as shaded bands, and each
 * canary verdict as a line at the end of the window it judged, labelled with weight and verdict.
 */
import { clock } from "../progress.js";
import type { RehearsalReport, Series, Timeline } from "./types.js";

export type PanelSpec = {
  key: keyof Omit<Timeline, "start" | "step">;
  title: string;
  unit: string;
  scale: number;
  /** Latency spans milliseconds to seconds on one machine under load: a log axis keeps both readable. */
  log?: boolean;
};

export const PANELS: readonly PanelSpec[] = [
  { key: "requests_per_second", title: "requests/s", unit: "req/s", scale: 1 },
  { key: "p95_latency_seconds", title: "p95 latency", unit: "ms (log)", scale: 1000, log: true },
  { key: "error_rate", title: "error rate", unit: "%", scale: 100 },
];

const W = 900;
const H = 150;
const M = { left: 60, right: 100, top: 84, gap: 44, bottom: 52 };
/** A time tick every 30 s. */
const TICK_SECONDS = 30;
/** Width of a label's character at font-size 11, to keep labels apart. */
const CHAR_PX = 6.2;
const TRACK_STYLE: Record<string, { color: string; dash?: string }> = {
  stable: { color: "#1f77b4" },
  canary: { color: "#e6550d" },
  direct: { color: "#555555", dash: "5 3" },
};
const STAGE_FILL = ["#f3f3f3", "#e8eef7"];
const VERDICT_COLOR = { promote: "#2ca02c", hold: "#d4a000", rollback: "#d62728" } as const;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const n = (v: number) => Number(v.toFixed(1));

/** 1, 2 or 5 times a power of ten, at least `max` (so four grid steps read well). */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].map((m) => m * e).find((v) => v >= max) ?? 10 * e) as number;
}

type Axis = { py: (v: number) => number; ticks: number[] };

/** Linear from 0, or logarithmic over whole decades (1 ms at least), with its grid values. */
function axis(values: number[], log: boolean, y0: number): Axis {
  const max = niceMax(Math.max(0, ...values));
  if (!log) {
    return { py: (v) => y0 + H - (v / max) * H, ticks: [0, 1, 2, 3, 4].map((g) => (max * g) / 4) };
  }
  const lo = Math.floor(Math.log10(Math.max(1, Math.min(...values.filter((v) => v > 0), max))));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
  const ticks = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
  const py = (v: number) => y0 + H - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * H;
  return { py, ticks };
}

function trackLines(
  series: Series,
  scale: number,
  px: (i: number) => number,
  py: (v: number) => number,
): string[] {
  const out: string[] = [];
  for (const track of Object.keys(series).sort()) {
    const style = TRACK_STYLE[track] ?? { color: "#9467bd" };
    let d = "";
    let pen = false;
    (series[track] ?? []).forEach((v, i) => {
      if (v === null) pen = false;
      else {
        d += `${pen ? "L" : "M"}${n(px(i))} ${n(py(v * scale))}`;
        pen = true;
      }
    });
    if (d)
      out.push(
        `<path d="${d}" fill="none" stroke="${style.color}" stroke-width="1.6"${style.dash ? ` stroke-dasharray="${style.dash}"` : ""}/>`,
      );
  }
  return out;
}

/**
 * The stage names above the first panel ("setup" before the first stage), each in the first of
 * three rows where it does not run into a label placed before it.
 */
function stageLabels(
  report: RehearsalReport,
  started: number,
  sx: (seconds: number) => number,
  y0: number,
): string[] {
  const labels = [
    { name: "setup", x: sx(0) },
    ...report.stages
      .filter((s) => s.started_at !== null)
      .map((s) => ({ name: s.name, x: sx(Date.parse(s.started_at as string) / 1000 - started) })),
  ];
  const rowEnds = [0, 0, 0];
  return labels.map(({ name, x }) => {
    // The first row free at x, else the row that frees up first, the label moved right to it.
    let row = rowEnds.findIndex((end) => end <= x);
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    const at = Math.max(x, rowEnds[row] ?? 0);
    rowEnds[row] = at + 4 + name.length * CHAR_PX;
    return `<text x="${n(at + 2)}" y="${y0 - 6 - row * 11}" fill="#333">${esc(name)}</text>`;
  });
}

export function renderSvg(report: RehearsalReport, panels: readonly PanelSpec[] = PANELS): string {
  const t = report.timeline;
  const height = M.top + panels.length * (H + M.gap) - M.gap + M.bottom;
  const width = M.left + W + M.right;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${M.left}" y="20" font-size="15" font-weight="bold">${esc(`infergate rehearse --scenario ${report.scenario}: ${report.outcome.replace("_", " ")}`)}</text>`,
    `<text x="${M.left}" y="38" fill="#555">${esc(`${report.model} v${report.candidate.version ?? "?"} against v${report.production.stable_before}; production ${report.production.requests} requests, ${report.production.failed} failed; ${clock(report.seconds)} in all`)}</text>`,
  ];
  if (!t)
    return `${[...out, `<text x="${M.left}" y="${M.top + 20}">no timeline (Prometheus was not reached)</text>`, "</svg>"].join("\n")}\n`;
  const started = Date.parse(report.started_at) / 1000;
  const points = Math.max(...Object.values(t.requests_per_second).map((s) => s.length), 2);
  const span = (points - 1) * t.step + (t.start - started);
  const sx = (seconds: number) => M.left + (Math.max(0, Math.min(span, seconds)) / span) * W;
  const px = (i: number) => sx(t.start - started + i * t.step);
  const stages = report.stages.filter((s) => s.started_at !== null);
  panels.forEach((panel, p) => {
    const y0 = M.top + p * (H + M.gap);
    const series = t[panel.key];
    const values = Object.values(series).flatMap((s) =>
      s.filter((v): v is number => v !== null).map((v) => v * panel.scale),
    );
    const { py, ticks } = axis(values, panel.log === true, y0);
    stages.forEach((s, i) => {
      const from = sx(Date.parse(s.started_at as string) / 1000 - started);
      const to = sx(Date.parse(s.started_at as string) / 1000 - started + s.seconds);
      out.push(
        `<rect x="${n(from)}" y="${y0}" width="${n(Math.max(1, to - from))}" height="${H}" fill="${STAGE_FILL[i % 2]}"/>`,
      );
    });
    if (p === 0) out.push(...stageLabels(report, started, sx, y0));
    for (const tick of ticks) {
      const y = n(py(tick));
      out.push(`<line x1="${M.left}" x2="${M.left + W}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
      out.push(
        `<text x="${M.left - 6}" y="${n(y + 4)}" text-anchor="end" fill="#555">${Number(tick.toPrecision(3))}</text>`,
      );
    }
    out.push(`<rect x="${M.left}" y="${y0}" width="${W}" height="${H}" fill="none" stroke="#999"/>`);
    out.push(`<text x="${M.left + W + 8}" y="${y0 + 12}" font-weight="bold">${esc(panel.title)}</text>`);
    out.push(`<text x="${M.left + W + 8}" y="${y0 + 26}" fill="#555">${esc(panel.unit)}</text>`);
    out.push(...trackLines(series, panel.scale, px, py));
    for (const step of report.canary_steps) {
      const x = n(sx(step.to));
      out.push(
        `<line x1="${x}" x2="${x}" y1="${y0}" y2="${y0 + H}" stroke="${VERDICT_COLOR[step.verdict]}" stroke-width="1.5"/>`,
      );
      if (p === panels.length - 1)
        out.push(
          `<text x="${x}" y="${y0 + H + 28}" text-anchor="middle" fill="${VERDICT_COLOR[step.verdict]}">${esc(`${Math.round(step.weight * 100)}% ${step.verdict}`)}</text>`,
        );
    }
    if (p === panels.length - 1) {
      for (let at = 0; at <= span; at += TICK_SECONDS) {
        out.push(
          `<line x1="${n(sx(at))}" x2="${n(sx(at))}" y1="${y0 + H}" y2="${y0 + H + 4}" stroke="#999"/>`,
        );
        out.push(
          `<text x="${n(sx(at))}" y="${y0 + H + 14}" text-anchor="middle" fill="#555">${clock(at)}</text>`,
        );
      }
    }
  });
  const tracks = [...new Set(panels.flatMap((panel) => Object.keys(t[panel.key])))].sort();
  tracks.forEach((track, i) => {
    const style = TRACK_STYLE[track] ?? { color: "#9467bd" };
    const y = height - 10;
    const x = M.left + i * 120;
    out.push(
      `<line x1="${x}" x2="${x + 20}" y1="${y - 4}" y2="${y - 4}" stroke="${style.color}" stroke-width="2"${style.dash ? ` stroke-dasharray="${style.dash}"` : ""}/>`,
    );
    out.push(`<text x="${x + 25}" y="${y}">track ${esc(track)}</text>`);
  });
  out.push(
    `<text x="${M.left + W}" y="${height - 10}" text-anchor="end" fill="#555">minutes:seconds since the start</text>`,
  );
  return `${[...out, "</svg>"].join("\n")}\n`;
}
