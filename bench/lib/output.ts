import { writeFileSync } from "node:fs";
import { renderChart, type Series } from "./plot.js";
import {
  bestBatch,
  cpuMicros,
  type ModelKey,
  markdown,
  type Ratio,
  type RawPoint,
  type Row,
  textRatios,
  textRaw,
  textTable,
  trackLines,
} from "./report.js";
import { medianRatios, type Round } from "./rounds.js";

/** Everything one run measured (bench/results/latest.json); `--from` re-renders it. */
export type BenchResult = {
  date: string;
  machine: string;
  cpus: number;
  loadavg: { before: number[]; after: number[] };
  server: string;
  seconds: number;
  warmupSeconds: number;
  serverCpus: string | undefined;
  loadCpus: string | undefined;
  concurrencies: number[];
  models: Partial<Record<ModelKey, string>>;
  rows: Row[];
  raw: Partial<Record<ModelKey, RawPoint[]>>;
  /** Raw ORT of the canary/shadow candidate (digits v1): the shadow's extra inference work. */
  rawCandidate?: RawPoint[];
  /** Every pass over the targets (rows, raw, rawCandidate above summarise them; see rounds.ts). */
  rounds?: Round[];
  ratios?: Ratio[];
};

/** Plot colours by target id (see TARGETS in run.ts). */
const COLORS: Record<string, string> = {
  echo: "#7f7f7f",
  "node-echo": "#bcbd22",
  "infergate-on": "#1f77b4",
  "infergate-off": "#9ecae1",
  "infergate-on-2w": "#17becf",
  "infergate-canary": "#9467bd",
  "infergate-shadow": "#8c564b",
  naive: "#ff7f0e",
  "fastapi-1w": "#d62728",
  "fastapi-2w": "#f7a6a6",
};
const BASELINES = new Set(["echo", "node-echo"]);

/**
 * The ratios issue #4 asks for (with targets), then informational ones: computed within each
 * round (from points measured close together), the median over rounds reported with its range.
 */
export function computeRatios(res: BenchResult): Ratio[] {
  const rounds = res.rounds ?? [];
  const summary = ratiosOf(res);
  const perRound =
    rounds.length > 1
      ? rounds.map((r) =>
          ratiosOf({
            ...res,
            rows: r.rows,
            raw: r.raw,
            ...(r.rawCandidate ? { rawCandidate: r.rawCandidate } : {}),
          }),
        )
      : [summary];
  // Labels that name a measured value (the best raw batch) come from the summary, not round 1.
  return medianRatios(perRound)
    .map((r, i) => ({ ...r, label: summary[i]?.label ?? r.label }))
    .filter((r) => r.value !== undefined || r.min !== undefined || r.max !== undefined);
}

/** The measured point of a target at a concurrency (64 unless given), if any. */
function pointAt(rows: readonly Row[], m: ModelKey, target: string, c = 64): Row | undefined {
  return rows.find((r) => r.model === m && r.target === target && r.connections === c);
}

const div = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? a / b : undefined);

function ratiosOf(res: BenchResult): Ratio[] {
  const { rows, raw, cpus: n } = res;
  const at = (m: ModelKey, target: string, c = 64) => pointAt(rows, m, target, c);
  const best = bestBatch(raw.large ?? []);
  const on = (m: ModelKey) => at(m, "infergate-on")?.rps;
  const nodeEcho = at("small", "node-echo")?.rps;
  const all: Ratio[] = [
    {
      label: "small c=64, batching on: ours / echo req/s",
      value: div(on("small"), at("small", "echo")?.rps),
      unit: "×",
      min: 0.85,
    },
    {
      label: "small c=64, batching on: ours p99",
      value: at("small", "infergate-on")?.p99,
      unit: "ms",
      max: 5,
    },
    {
      label: "small c=64, batching on: ours / FastAPI 1 worker req/s",
      value: div(on("small"), at("small", "fastapi-1w")?.rps),
      unit: "×",
      min: 8,
    },
    {
      label: "large c=64: batching on / batching off req/s",
      value: div(on("large"), at("large", "infergate-off")?.rps),
      unit: "×",
      min: 3,
    },
    {
      label: `large c=64, batching on: ours rows/s / raw ORT best batch (${best?.batch ?? "?"}) rows/s`,
      value: div(on("large"), best?.rowsPerSec),
      unit: "×",
      min: 0.65,
    },
    {
      label: "large c=64, batching on: ours / FastAPI 1 worker req/s",
      value: div(on("large"), at("large", "fastapi-1w")?.rps),
      unit: "×",
      min: 4,
    },
    // Informational, no target.
    {
      label: "small c=64: echo (Fastify) / echo (bare node:http) req/s",
      value: div(at("small", "echo")?.rps, at("small", "node-echo")?.rps),
      unit: "×",
    },
    {
      label: "small c=64: echo (bare node:http) p99",
      value: at("small", "node-echo")?.p99,
      unit: "ms",
    },
    // What the targets above could reach at most here if serving cost nothing beyond the bare
    // node:http echo (the HTTP floor, measured once; it does not depend on the model).
    {
      label: "ceiling of small ours / FastAPI 1 worker: bare node:http echo / FastAPI 1 worker req/s",
      value: div(nodeEcho, at("small", "fastapi-1w")?.rps),
      unit: "×",
    },
    {
      label: "ceiling of large ours / raw ORT best batch: raw ORT best batch + bare node:http echo per row",
      value: nodeEcho !== undefined && best ? nodeEcho / (best.rowsPerSec + nodeEcho) : undefined,
      unit: "×",
    },
    {
      label: "small c=64: naive / echo req/s",
      value: div(at("small", "naive")?.rps, at("small", "echo")?.rps),
      unit: "×",
    },
    {
      label: "small c=64: ours (on) / naive req/s",
      value: div(on("small"), at("small", "naive")?.rps),
      unit: "×",
    },
    {
      label: "small c=64: ours (on) / raw ORT batch 1 rows/s",
      value: div(on("small"), raw.small?.[0]?.rowsPerSec),
      unit: "×",
    },
    {
      label: "large c=64: ours (on) / naive req/s",
      value: div(on("large"), at("large", "naive")?.rps),
      unit: "×",
    },
    ...trackRatios(res),
    {
      label: `small c=64: ours ${n} workers / FastAPI ${n} workers req/s *`,
      value: div(at("small", "infergate-on-2w")?.rps, at("small", "fastapi-2w")?.rps),
      unit: "×",
    },
    {
      label: `large c=64: ours ${n} workers / FastAPI ${n} workers req/s *`,
      value: div(at("large", "infergate-on-2w")?.rps, at("large", "fastapi-2w")?.rps),
      unit: "×",
    },
  ];
  return all;
}

/**
 * Issue #9: what a 10 % canary and a 100 % shadow cost relative to plain predict (batching on,
 * same server, same run). The shadow's extra server CPU per answered request is set beside the
 * candidate's own inference cost from raw ORT: the bound the shadow should stay near.
 */
function trackRatios(res: BenchResult): Ratio[] {
  const at = (target: string, c: number) => pointAt(res.rows, "small", target, c);
  const plain64 = at("infergate-on", 64);
  const plain1 = at("infergate-on", 1);
  const extra = (() => {
    const a = cpuMicros(at("infergate-shadow", 64));
    const b = cpuMicros(plain64);
    return a !== undefined && b !== undefined ? a - b : undefined;
  })();
  const perRow = (batch: number) => {
    const p = res.rawCandidate?.find((x) => x.batch === batch);
    return p ? (p.msPerRun * 1000) / batch : undefined;
  };
  const tracks = [
    ["infergate-canary", "10 % canary"],
    ["infergate-shadow", "100 % shadow"],
  ] as const;
  return [
    ...tracks.flatMap(([target, name]): Ratio[] => [
      {
        label: `small c=64: ${name} / plain predict req/s`,
        value: div(at(target, 64)?.rps, plain64?.rps),
        unit: "×",
      },
      {
        label: `small c=1: ${name} / plain predict p50`,
        value: div(at(target, 1)?.p50, plain1?.p50),
        unit: "×",
      },
    ]),
    { label: "small c=64: 100 % shadow, extra server CPU per answered request", value: extra, unit: "µs" },
    { label: "candidate (digits v1) raw ORT CPU per row, batch 1", value: perRow(1), unit: "µs" },
    { label: "candidate (digits v1) raw ORT CPU per row, batch 32", value: perRow(32), unit: "µs" },
  ];
}

/** Prints the table, raw ORT figures and ratios; writes latest.json, latest.md and throughput.svg to `out`. */
export function emit(res: BenchResult, out: string): Ratio[] {
  const ratios = computeRatios(res);
  const title = (m: ModelKey) => res.models[m] ?? m;
  const f2 = (l: number[]) => l.map((v) => v.toFixed(2)).join(" ");
  const loads = `load average ${f2(res.loadavg.before)} before, ${f2(res.loadavg.after)} after`;
  const cpu = (c: string | undefined) => c ?? "any";
  const others = res.rows.map((r) => r.cpu?.other).filter((v): v is number => v !== undefined);
  const noise = others.length
    ? `; other processes used ${(others.reduce((x, y) => x + y, 0) / others.length).toFixed(2)} cores on average during the points (max ${Math.max(...others).toFixed(2)})`
    : "";
  const header = [
    `machine: ${res.machine}; ${loads}${noise}`,
    `server under test: ${res.server}; servers and raw ORT on CPU ${cpu(res.serverCpus)}, load generator (autocannon) on CPU ${cpu(res.loadCpus)}`,
    `${res.rounds && res.rounds.length > 1 ? `${res.rounds.length} rounds (every target, in the same order, each round; per point the median round is shown, ratios are medians of per-round ratios); ` : ""}${res.seconds} s per point after a ${res.warmupSeconds} s warm-up at 64 connections; 1-row V2 JSON body (FP32 [1,64]); loopback; ${res.date}`,
  ];

  console.log(`\n${header.join("\n")}`);
  console.log(textTable(res.rows, title));
  if (res.rows.some((r) => !r.pinned))
    console.log(`\n* multi-worker: not pinned, shares the ${res.cpus} cores with the load generator`);
  if (Object.keys(res.raw).length)
    console.log(
      `\nraw ONNX Runtime, in-process, 1 intra-op thread, CPU ${cpu(res.serverCpus)} (rows/s by batch size):\n${textRaw(res.raw, title)}`,
    );
  const tracks = trackLines(res.rows);
  if (tracks.length) console.log(`\ncanary and shadow points:\n  ${tracks.join("\n  ")}`);
  console.log(`\nratios (this run):\n${textRatios(ratios)}`);

  writeFileSync(`${out}/latest.json`, `${JSON.stringify({ ...res, ratios }, null, 2)}\n`);
  writeFileSync(
    `${out}/latest.md`,
    markdown({
      header: ["# infergate benchmark (`npm run bench`)", "", ...header.map((h) => `- ${h}`)],
      rows: res.rows,
      raw: res.raw,
      ratios,
      modelTitle: title,
    }),
  );

  const models = (Object.keys(res.models) as ModelKey[]).filter(
    (m) => res.rows.some((r) => r.model === m) || res.raw[m],
  );
  const panels = models.map((m) => {
    const series: Series[] = [];
    const targets = [...new Set(res.rows.map((r) => r.target))];
    for (const t of targets) {
      // The echo (HTTP limit) does not depend on the model: measured once, drawn in every panel.
      const rows = res.rows.filter((r) => r.target === t && (r.model === m || BASELINES.has(t)));
      const first = rows[0];
      if (!first) continue;
      series.push({
        name: first.pinned ? first.name : `${first.name} (shares cores)`,
        color: COLORS[t] ?? "#000",
        points: rows.map((r) => ({ x: r.connections, y: r.rps * r.rowsPerRequest })),
        dashed: BASELINES.has(t),
      });
    }
    const best = bestBatch(res.raw[m] ?? []);
    const one = res.raw[m]?.[0];
    const flat = (name: string, color: string, y: number): Series => ({
      name,
      color,
      points: [{ x: 1, y }],
      dashed: true,
      flat: true,
    });
    if (best) series.push(flat(`raw ORT in-process, best batch (${best.batch})`, "#2ca02c", best.rowsPerSec));
    if (one) series.push(flat("raw ORT in-process, batch 1", "#98df8a", one.rowsPerSec));
    return { title: title(m), series };
  });
  if (panels.length) {
    const xs = res.concurrencies.length > 1 ? res.concurrencies : [1, ...res.concurrencies];
    const svg = renderChart({
      title: "infergate: throughput vs concurrency (npm run bench)",
      subtitle: [
        `${res.machine}; ${loads}`,
        `servers and raw ORT on CPU ${cpu(res.serverCpus)}, load generator on CPU ${cpu(res.loadCpus)}; ${res.seconds} s per point; server ${res.server}`,
      ],
      xLabel: "concurrent connections",
      yLabel: "rows/s (1 row per request), log scale",
      xs,
      panels,
    });
    writeFileSync(`${out}/throughput.svg`, svg);
  }
  return ratios;
}
