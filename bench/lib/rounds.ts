import type { Ratio, RawPoint, Row } from "./report.js";
import type { ColdStartRound, TensorRound } from "./tensor-report.js";

/**
 * Rounds (issue #4): this machine's speed drifts by tens of percent over minutes (a shared VM:
 * the same server measured twice a minute apart moved by up to ±30 %), so one pass over the
 * targets cannot compare them fairly. The bench makes several passes; every ratio is computed
 * within each pass (its points were measured minutes apart at most) and the median over passes
 * is reported with its range. The table shows each point's median measurement.
 */
export type Round = {
  rows: Row[];
  raw: Partial<Record<string, RawPoint[]>>;
  rawCandidate?: RawPoint[] | undefined;
  tensors?: TensorRound | undefined;
  coldStart?: ColdStartRound | undefined;
};

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The measurement with the median req/s (an actual point, so its percentiles and CPU belong to it), with the range over rounds. */
function medianRow(rows: readonly Row[]): Row {
  const sorted = [...rows].sort((a, b) => a.rps - b.rps);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)] as Row;
  return sorted.length > 1
    ? { ...mid, rpsRange: [(sorted[0] as Row).rps, (sorted[sorted.length - 1] as Row).rps] }
    : mid;
}

function medianRaw(perRound: readonly (RawPoint[] | undefined)[]): RawPoint[] | undefined {
  const rounds = perRound.filter((p): p is RawPoint[] => p !== undefined);
  const first = rounds[0];
  if (!first) return undefined;
  return first.map((p) => {
    const same = rounds.map((r) => r.find((q) => q.batch === p.batch)).filter((q) => q !== undefined);
    const rowsPerSec = median(same.map((q) => q.rowsPerSec)) as number;
    return { batch: p.batch, rowsPerSec, runs: p.runs, msPerRun: (1000 * p.batch) / rowsPerSec };
  });
}

/** One summary from all rounds: the median measurement per point, the median raw ORT rate per batch. */
export function summarise(rounds: readonly Round[]): Round {
  const groups = new Map<string, Row[]>();
  for (const round of rounds)
    for (const r of round.rows) {
      const key = `${r.model}/${r.target}/${r.connections}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
  const raw: Partial<Record<string, RawPoint[]>> = {};
  const models = new Set(rounds.flatMap((r) => Object.keys(r.raw)));
  for (const m of models) raw[m] = medianRaw(rounds.map((r) => r.raw[m]));
  return {
    rows: [...groups.values()].map(medianRow),
    raw,
    rawCandidate: medianRaw(rounds.map((r) => r.rawCandidate)),
  };
}

/** Per-round ratios (same labels in the same order) → the median of each, with its range. */
export function medianRatios(perRound: readonly Ratio[][]): Ratio[] {
  const first = perRound[0] ?? [];
  if (perRound.length < 2) return first;
  return first.map((r, i) => {
    const values = perRound
      .map((rs) => rs[i]?.value)
      .filter((v): v is number => v !== undefined && Number.isFinite(v));
    const value = median(values);
    return values.length > 1
      ? { ...r, value, range: [Math.min(...values), Math.max(...values)] as [number, number] }
      : { ...r, value };
  });
}
