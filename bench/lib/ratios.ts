import { bestBatch, cpuMicros, type ModelKey, type Ratio, type Row } from "./report.js";
import type { BenchResult } from "./result.js";
import { medianRatios } from "./rounds.js";
import { tensorRatios } from "./tensor-ratios.js";

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
            ...(r.tensors && res.tensors ? { tensors: { ...res.tensors, ...r.tensors } } : {}),
            ...(r.coldStart && res.coldStart
              ? { coldStart: { ...res.coldStart, rounds: [r.coldStart] } }
              : {}),
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
    ...tensorRatios(res),
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
