/**
 * A small hand-written SVG line chart: one panel per model, log-scale x (concurrency) and y
 * (rows/s), measured series as solid lines with dots, baselines as dashed lines (raw ORT, one
 * value, is drawn flat across the panel). No dependencies.
 */
export type Series = {
  name: string;
  color: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
  /** A baseline with one value, drawn flat across the panel. */
  flat?: boolean;
};
export type Panel = { title: string; series: Series[] };
export type Chart = {
  title: string;
  subtitle: string[];
  xLabel: string;
  yLabel: string;
  xs: number[];
  panels: Panel[];
};

const W = 460; // panel width
const H = 320; // panel height
const M = { top: 80, left: 70, right: 24, bottom: 52, gap: 40 };
const STEPS = [1, 2, 5];

/** Nice log-axis bounds: the 1-2-5 values just below the minimum and just above the maximum. */
function bounds(values: number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const ladder = (e: number) => STEPS.map((m) => m * 10 ** e);
  const e0 = Math.floor(Math.log10(lo));
  const e1 = Math.floor(Math.log10(hi));
  const below = ladder(e0).filter((v) => v <= lo);
  const above = [...ladder(e1), 10 ** (e1 + 1)].filter((v) => v >= hi);
  return [below[below.length - 1] ?? 10 ** e0, above[0] ?? 10 ** (e1 + 1)];
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const num = (v: number) => Number(v.toFixed(1));
const si = (v: number) => (v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : `${v}`);

export function renderChart(c: Chart): string {
  const names = [...new Map(c.panels.flatMap((p) => p.series).map((s) => [s.name, s])).values()];
  const legendColumn = Math.max(220, 44 + 6.8 * Math.max(...names.map((n) => n.name.length)));
  const width = M.left + c.panels.length * (W + M.gap) - M.gap + M.right;
  const columns = Math.max(1, Math.floor((width - M.left) / legendColumn));
  const legendRows = Math.ceil(names.length / columns);
  const height = M.top + H + M.bottom + legendRows * 20 + 10;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="16" font-weight="bold">${esc(c.title)}</text>`,
    ...c.subtitle.map((line, i) => `<text x="${M.left}" y="${40 + 15 * i}" fill="#555">${esc(line)}</text>`),
  ];
  const xMin = Math.log10(Math.min(...c.xs));
  const xMax = Math.log10(Math.max(...c.xs));

  c.panels.forEach((panel, i) => {
    const x0 = M.left + i * (W + M.gap);
    const y0 = M.top;
    const px = (x: number) => num(x0 + ((Math.log10(x) - xMin) / (xMax - xMin || 1)) * W);
    const ys = panel.series.flatMap((s) => s.points.map((q) => q.y)).filter((y) => y > 0);
    const [lo, hi] = bounds(ys.length ? ys : [1, 10]);
    const yMin = Math.log10(lo);
    const yMax = Math.log10(hi);
    const py = (y: number) => num(y0 + H - ((Math.log10(y) - yMin) / (yMax - yMin || 1)) * H);
    out.push(
      `<text x="${x0 + W / 2}" y="${y0 - 8}" text-anchor="middle" font-weight="bold">${esc(panel.title)}</text>`,
    );
    out.push(`<rect x="${x0}" y="${y0}" width="${W}" height="${H}" fill="none" stroke="#999"/>`);
    for (let e = Math.floor(yMin); e <= Math.ceil(yMax); e++) {
      for (const m of STEPS) {
        const v = m * 10 ** e;
        if (v < lo * 0.999 || v > hi * 1.001) continue;
        const y = py(v);
        out.push(`<line x1="${x0}" x2="${x0 + W}" y1="${y}" y2="${y}" stroke="#eee"/>`);
        out.push(`<text x="${x0 - 6}" y="${y + 4}" text-anchor="end" fill="#555">${si(v)}</text>`);
      }
    }
    for (const x of c.xs) {
      out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${y0}" y2="${y0 + H}" stroke="#eee"/>`);
      out.push(`<text x="${px(x)}" y="${y0 + H + 16}" text-anchor="middle" fill="#555">${x}</text>`);
    }
    out.push(`<text x="${x0 + W / 2}" y="${y0 + H + 36}" text-anchor="middle">${esc(c.xLabel)}</text>`);
    if (i === 0) {
      const cy = y0 + H / 2;
      out.push(
        `<text transform="translate(${x0 - 52} ${cy}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`,
      );
    }
    for (const s of panel.series) {
      const pts = s.flat ? c.xs.map((x) => ({ x, y: s.points[0]?.y ?? 0 })) : s.points;
      const path = pts.filter((p) => p.y > 0).map((p) => `${px(p.x)},${py(p.y)}`);
      const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
      out.push(
        `<polyline points="${path.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`,
      );
      if (!s.flat) {
        for (const p of pts)
          if (p.y > 0) out.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3" fill="${s.color}"/>`);
      }
    }
  });

  const ly = M.top + H + M.bottom + 8;
  names.forEach((s, k) => {
    const x = M.left + (k % columns) * legendColumn;
    const y = ly + Math.floor(k / columns) * 20;
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    out.push(
      `<line x1="${x}" x2="${x + 24}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${x + 30}" y="${y + 4}">${esc(s.name)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
