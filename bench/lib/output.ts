import { writeFileSync } from "node:fs";
import { renderChart, type Series } from "./plot.js";
import { computeRatios } from "./ratios.js";
import {
  bestBatch,
  httpFloorText,
  type ModelKey,
  markdown,
  type Ratio,
  textRatios,
  textRaw,
  textTable,
  trackLines,
} from "./report.js";
import type { BenchResult } from "./result.js";
import { tensorMarkdown } from "./tensor-report.js";

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
    `${res.rounds && res.rounds.length > 1 ? `${res.rounds.length} rounds (every target, in the same order, each round; per point the median round is shown, ratios are medians of per-round ratios); ` : ""}${res.seconds} s per point${res.settleSeconds ? ` (measured after the load generator's first ${res.settleSeconds} s)` : ""} after a ${res.warmupSeconds} s warm-up at 64 connections; ${(res.bodies ?? 1) > 1 ? `${res.bodies} distinct 1-row V2 JSON bodies (FP32 [1,64], the validation rows) cycled per connection` : "1-row V2 JSON body (FP32 [1,64])"}; loopback; ${res.date}`,
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
  const extra = tensorMarkdown(res.tensors, res.coldStart);
  if (extra.length) console.log(extra.join("\n"));
  console.log(`\nHTTP floor this run (bare node:http echo, c=64): ${httpFloorText(res.rows)}`);
  console.log(`ratios (this run):\n${textRatios(ratios)}`);

  writeFileSync(`${out}/latest.json`, `${JSON.stringify({ ...res, ratios }, null, 2)}\n`);
  writeFileSync(
    `${out}/latest.md`,
    markdown({
      header: ["# infergate benchmark (`npm run bench`)", "", ...header.map((h) => `- ${h}`)],
      rows: res.rows,
      raw: res.raw,
      ratios,
      modelTitle: title,
    }) + (extra.length ? `${extra.join("\n").trimStart()}\n` : ""),
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
