import type { BreakdownRow } from "./breakdown.js";
import { CATEGORIES, categoryOf } from "./breakdown-categories.js";
import type { ProfileNode, WindowedProfile } from "./cpuprofile.js";

/**
 * A flame graph of a windowed CPU profile as a standalone SVG (no dependencies): one box per call
 * path, as wide as the time spent in it and its callees, callers below callees, coloured by the
 * breakdown category of the frame (a frame of no category takes its caller's colour). Hovering a
 * box shows its function, file and time. The main thread's "(idle)" samples are left out (the
 * graph is as wide as its busy time; the legend has every row of the breakdown), and so are
 * boxes narrower than half a pixel.
 */
const WIDTH = 1200;
const ROW = 16;
const PAD = 10;

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function label(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const file = url.replace(/^file:\/\/.*?\/(node_modules|service|bench)\//, "$1/");
  return `${functionName || "(anonymous)"}${url ? ` ${file}:${lineNumber + 1}` : ""}`;
}

export function renderFlameGraph(opts: {
  title: string;
  subtitle: readonly string[];
  window: WindowedProfile;
  breakdown: readonly BreakdownRow[];
}): string {
  const w = opts.window;
  const total = new Map<number, number>();
  const children = new Map<number, number[]>();
  let root: number | undefined;
  for (const n of w.nodes.values()) {
    children.set(n.id, n.children ?? []);
    if (!w.parent.has(n.id)) root = n.id;
  }
  const sum = (id: number): number => {
    const node = w.nodes.get(id);
    let t = node?.callFrame.functionName === "(idle)" ? 0 : (w.self.get(id) ?? 0);
    for (const c of children.get(id) ?? []) t += sum(c);
    total.set(id, t);
    return t;
  };
  const all = root === undefined ? 0 : sum(root);
  const scale = all > 0 ? (WIDTH - 2 * PAD) / all : 0;

  type Box = { x: number; depth: number; width: number; node: ProfileNode; color: string };
  const boxes: Box[] = [];
  let maxDepth = 0;
  const place = (id: number, x: number, depth: number, inherited: string) => {
    const node = w.nodes.get(id) as ProfileNode;
    const width = (total.get(id) ?? 0) * scale;
    if (width < 0.5) return;
    const color = categoryOf(node.callFrame)?.color ?? inherited;
    boxes.push({ x, depth, width, node, color });
    maxDepth = Math.max(maxDepth, depth);
    let cx = x;
    for (const c of children.get(id) ?? []) {
      place(c, cx, depth + 1, color);
      cx += (total.get(c) ?? 0) * scale;
    }
  };
  if (root !== undefined) place(root, PAD, 0, "#dbdb8d");

  const top = 30 + 15 * opts.subtitle.length + 10;
  const graphHeight = (maxDepth + 1) * ROW;
  const legendTop = top + graphHeight + 24;
  const shown = opts.breakdown.filter((r) => r.share >= 0.001);
  const legendRows = Math.ceil(shown.length / 2);
  const height = legendTop + legendRows * 18 + PAD;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PAD}" y="20" font-size="15" font-weight="bold">${esc(opts.title)}</text>`,
    ...opts.subtitle.map((s, i) => `<text x="${PAD}" y="${38 + 15 * i}" fill="#555">${esc(s)}</text>`),
  ];
  for (const b of boxes) {
    const y = top + graphHeight - (b.depth + 1) * ROW;
    const ms = ((total.get(b.node.id) ?? 0) / 1000).toFixed(1);
    const pct = ((100 * (total.get(b.node.id) ?? 0)) / all).toFixed(1);
    const text = label(b.node);
    const fits = Math.floor((b.width - 4) / 6.2);
    out.push(
      `<g><title>${esc(`${text}: ${ms} ms (${pct} %)`)}</title><rect x="${b.x.toFixed(1)}" y="${y}" width="${b.width.toFixed(1)}" height="${ROW - 1}" fill="${b.color}"/>${
        fits >= 3
          ? `<text x="${(b.x + 2).toFixed(1)}" y="${y + 11}">${esc(text.length > fits ? `${text.slice(0, fits - 1)}…` : text)}</text>`
          : ""
      }</g>`,
    );
  }
  const colorOf = new Map([
    ...CATEGORIES.map((c) => [c.id, c.color] as const),
    ["native-io", "#f0f0f0"],
    ["other-threads", "#ffffff"],
  ]);
  shown.forEach((r, i) => {
    const x = PAD + (i % 2) * ((WIDTH - 2 * PAD) / 2);
    const y = legendTop + Math.floor(i / 2) * 18;
    out.push(
      `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${colorOf.get(r.id) ?? "#dbdb8d"}"/>`,
      `<text x="${x + 18}" y="${y}">${esc(`${r.title}: ${r.usPerRequest.toFixed(2)} µs/request (${(100 * r.share).toFixed(1)} %)`)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
