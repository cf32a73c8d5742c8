import type { LoadResult } from "./load.js";
import { describeCounts, type TrackCounts } from "./tracks.js";

export type ModelKey = "small" | "large";

/** One measured point: a target serving a model at a concurrency. */
export type Row = {
  model: ModelKey;
  target: string;
  name: string;
  /** False when the server could not be pinned to its own core (multi-worker): it shares cores with the load generator. */
  pinned: boolean;
  connections: number;
  /** Rows per request (the body has one row). */
  rowsPerRequest: number;
  /** Canary and shadow rows: what each track served during the point (from the server's /metrics). */
  tracks?: TrackCounts;
  /** Which pass over the targets measured it (see rounds.ts). */
  round?: number;
  /** In a summary: the lowest and highest req/s of this point over the rounds. */
  rpsRange?: [number, number];
} & LoadResult;

export type RawPoint = { batch: number; rowsPerSec: number; runs: number; msPerRun: number };

export type Ratio = {
  label: string;
  value: number | undefined;
  unit: "×" | "ms" | "µs";
  /** Over several rounds: the value is the median, this the lowest and highest. */
  range?: [number, number];
  /** Target: value ≥ min or value ≤ max. None for informational ratios. */
  min?: number;
  max?: number;
};

export function verdict(r: Ratio): "PASS" | "MISS" | "n/a" | "" {
  if (r.min === undefined && r.max === undefined) return "";
  if (r.value === undefined || !Number.isFinite(r.value)) return "n/a";
  if (r.min !== undefined && r.value < r.min) return "MISS";
  if (r.max !== undefined && r.value > r.max) return "MISS";
  return "PASS";
}

const f = (v: number, d: number) => v.toFixed(d);

export function ratioValue(r: Ratio): string {
  if (r.value === undefined || !Number.isFinite(r.value)) return "not measured";
  if (r.unit === "µs") return `${f(r.value, 1)} µs`;
  return r.unit === "ms" ? `${f(r.value, 2)} ms` : `${f(r.value, 2)}×`;
}

/** "0.81× – 0.95×" over the rounds, or "" for a single round. */
export function ratioRange(r: Ratio): string {
  if (!r.range) return "";
  const one = (v: number) => ratioValue({ ...r, value: v, range: undefined });
  return `${one(r.range[0])} – ${one(r.range[1])}`;
}

export function ratioTarget(r: Ratio): string {
  if (r.min !== undefined) return r.unit === "ms" ? `≥ ${r.min} ms` : `≥ ${r.min}×`;
  if (r.max !== undefined) return r.unit === "ms" ? `≤ ${r.max} ms` : `≤ ${r.max}×`;
  return "";
}

export function bestBatch(points: readonly RawPoint[]): RawPoint | undefined {
  return points.reduce<RawPoint | undefined>(
    (b, p) => (!b || p.rowsPerSec > b.rowsPerSec ? p : b),
    undefined,
  );
}

/** "8102–9877": the lowest and highest req/s of a point over the rounds. */
function rangeText(r: Row): string {
  return r.rpsRange ? `${f(r.rpsRange[0], 0)}–${f(r.rpsRange[1], 0)}` : "";
}

/** CPU used during the point, in cores: server tree / load generator / everything else (noise). */
export function cpuText(r: Row): string {
  return r.cpu ? `${f(r.cpu.server, 2)}/${f(r.cpu.load, 2)}/${f(r.cpu.other, 2)}` : "";
}

/** The day's HTTP floor (bare node:http echo, c=64, median and range): shown beside every ratio (issue #25). */
export function httpFloorText(rows: readonly Row[]): string {
  const r = rows.find((x) => x.model === "small" && x.target === "node-echo" && x.connections === 64);
  return r ? `${f(r.rps, 0)} req/s${r.rpsRange ? ` (${rangeText(r)})` : ""}` : "not measured";
}

/** Plain-text table of the measured points (what the terminal shows). */
export function textTable(rows: readonly Row[], modelTitle: (m: ModelKey) => string): string {
  const lines: string[] = [];
  const header = `${"target".padEnd(38)}${"conns".padStart(6)}${"req/s".padStart(10)}${"range".padStart(14)}${"rows/s".padStart(10)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"errors".padStart(8)}${"cpu srv/load/other".padStart(20)}`;
  let model: ModelKey | undefined;
  for (const r of rows) {
    if (r.model !== model) {
      model = r.model;
      lines.push("", modelTitle(model), header);
    }
    const name = r.pinned ? r.name : `${r.name} *`;
    lines.push(
      `${name.padEnd(38)}${String(r.connections).padStart(6)}${f(r.rps, 0).padStart(10)}${rangeText(r).padStart(14)}${f(r.rps * r.rowsPerRequest, 0).padStart(10)}${f(r.p50, 2).padStart(9)}${f(r.p99, 2).padStart(9)}${String(r.non2xx + r.errors).padStart(8)}${cpuText(r).padStart(20)}`,
    );
  }
  return lines.join("\n");
}

/** Per canary/shadow point: the split the server reported, and its CPU per answered request. */
export function trackLines(rows: readonly Row[]): string[] {
  return rows
    .filter((r) => r.tracks)
    .map(
      (r) =>
        `${r.model} ${r.name}, c=${r.connections}: ${describeCounts(r.tracks as TrackCounts)}; server CPU ${f(cpuMicros(r) ?? Number.NaN, 1)} µs per answered request`,
    );
}

/** Server CPU time per answered request, in µs (undefined when CPU was not measured). */
export function cpuMicros(r: Row | undefined): number | undefined {
  return r?.cpu && r.rps > 0 ? (r.cpu.server * 1e6) / r.rps : undefined;
}

export function textRaw(
  raw: Partial<Record<ModelKey, RawPoint[]>>,
  modelTitle: (m: ModelKey) => string,
): string {
  const lines: string[] = [];
  for (const [model, points] of Object.entries(raw) as [ModelKey, RawPoint[]][]) {
    const best = bestBatch(points);
    lines.push(`${modelTitle(model)}`);
    lines.push(`  batch   ${points.map((p) => String(p.batch).padStart(9)).join("")}`);
    lines.push(`  rows/s  ${points.map((p) => f(p.rowsPerSec, 0).padStart(9)).join("")}`);
    lines.push(`  ms/run  ${points.map((p) => f(p.msPerRun, 3).padStart(9)).join("")}`);
    if (best) lines.push(`  best: batch ${best.batch}, ${f(best.rowsPerSec, 0)} rows/s`);
  }
  return lines.join("\n");
}

export function textRatios(ratios: readonly Ratio[]): string {
  return ratios
    .map((r) => {
      const v = verdict(r);
      const target = ratioTarget(r);
      const range = ratioRange(r);
      return `  ${r.label.padEnd(72)}${ratioValue(r).padStart(14)}${range ? ` (${range})` : ""}${target ? `   target ${target.padEnd(9)} ${v}` : ""}`;
    })
    .join("\n");
}

/** The same figures as Markdown (bench/results/latest.md; the committed bench/RESULTS.md is a copy). */
export function markdown(opts: {
  header: string[];
  rows: readonly Row[];
  raw: Partial<Record<ModelKey, RawPoint[]>>;
  ratios: readonly Ratio[];
  modelTitle: (m: ModelKey) => string;
}): string {
  const out: string[] = [...opts.header, ""];
  const floor = httpFloorText(opts.rows);
  out.push(
    "## Ratios and targets",
    "",
    "| ratio (within each round) | median | range over rounds | target | | HTTP floor that day: bare node:http echo, c=64 |",
    "| --- | ---: | ---: | ---: | --- | ---: |",
  );
  for (const r of opts.ratios)
    out.push(
      `| ${r.label} | ${ratioValue(r)} | ${ratioRange(r)} | ${ratioTarget(r)} | ${verdict(r)} | ${floor} |`,
    );
  let model: ModelKey | undefined;
  for (const r of opts.rows) {
    if (r.model !== model) {
      model = r.model;
      out.push(
        "",
        `## ${opts.modelTitle(model)}`,
        "",
        "| target | conns | req/s | req/s range | rows/s | p50 ms | p99 ms | errors | CPU cores: server / load gen / other |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      );
    }
    const name = r.pinned ? r.name : `${r.name} \\*`;
    out.push(
      `| ${name} | ${r.connections} | ${f(r.rps, 0)} | ${rangeText(r)} | ${f(r.rps * r.rowsPerRequest, 0)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${r.non2xx + r.errors} | ${cpuText(r)} |`,
    );
  }
  out.push("", "\\* multi-worker: not pinned, shares the 2 cores with the load generator.");
  const tracks = trackLines(opts.rows);
  if (tracks.length)
    out.push("", "## Canary and shadow points: what each track served", "", ...tracks.map((t) => `- ${t}`));
  out.push("", "## Raw ONNX Runtime (in-process, 1 intra-op thread, pinned to the server CPU)", "");
  for (const [model, points] of Object.entries(opts.raw) as [ModelKey, RawPoint[]][]) {
    out.push(`${opts.modelTitle(model)}:`, "");
    out.push(`| batch | ${points.map((p) => p.batch).join(" | ")} |`);
    out.push(`| --- | ${points.map(() => "---:").join(" | ")} |`);
    out.push(`| rows/s | ${points.map((p) => f(p.rowsPerSec, 0)).join(" | ")} |`);
    out.push(`| ms/run | ${points.map((p) => f(p.msPerRun, 3)).join(" | ")} |`, "");
  }
  return `${out.join("\n")}\n`;
}
