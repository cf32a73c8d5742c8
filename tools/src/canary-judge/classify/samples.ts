import type { ResolvedJudgement } from "../definition/judgement.js";
import type { MetricDefinition } from "../definition/schema.js";
import { fmt, fmtP } from "../format.js";
import { mannWhitneyU } from "../stats.js";
import { base, better, effectOf, finite, tooFew, verdictOn, worse } from "./shared.js";
import type { Classification, MetricResult, Observation, TrackSamples } from "./types.js";

/**
 * Samples metrics (error rate, latency): a Mann-Whitney U test on the tracks' per-interval values
 * and the window's effect (difference or floored ratio) against the tolerance and hard limit.
 */
export function classifySamples(
  m: Extract<MetricDefinition, { kind: "samples" }>,
  o: Extract<Observation, { kind: "samples" }>,
  j: ResolvedJudgement,
): MetricResult {
  const track = (t: TrackSamples) => ({
    ...(finite(t.value) ? { value: t.value } : {}),
    samples: t.count,
    intervals: t.intervals.length,
  });
  const r = { ...base(m), stable: track(o.stable), candidate: track(o.candidate) };
  const missing = tooFew(m, o.stable.count, o.candidate.count, "requests");
  if (missing) return { ...r, class: "nodata", reason: missing };
  if (!finite(o.stable.value) || !finite(o.candidate.value)) {
    return { ...r, class: "nodata", reason: "no value over the window" };
  }
  const effectValue =
    m.effect === "difference"
      ? o.candidate.value - o.stable.value
      : Math.max(o.candidate.value, m.floor) / Math.max(o.stable.value, m.floor);
  const value = Number.isFinite(effectValue) ? effectValue : m.effect === "ratio" ? 1 : 0; // 0/0 floors: no effect
  const beyond = m.hardLimit !== undefined && worse(m, m.effect, value, m.hardLimit);
  const ns = o.stable.intervals.length;
  const nc = o.candidate.intervals.length;
  const effect = effectOf(m, m.effect, value, beyond, false);
  if (ns < j.minIntervals || nc < j.minIntervals) {
    return {
      ...r,
      effect,
      class: "nodata",
      reason: `too few intervals with traffic: stable ${ns}, candidate ${nc} (need ${j.minIntervals} each)`,
    };
  }
  const mw = mannWhitneyU(o.candidate.intervals, o.stable.intervals);
  const test = { name: "mann-whitney-u" as const, statistic: mw.u1, pValue: mw.pValue, method: mw.method };
  const alpha = 1 - j.confidence;
  const significant = mw.pValue < alpha;
  if (beyond && significant) {
    return verdictOn({ ...r, effect: { ...effect, hardLimitBreached: true }, test })(
      m.direction === "increase" ? "high" : "low",
      false,
      `${m.effect} ${fmt(value)} beyond the hard limit ${fmt(m.hardLimit ?? 0)} (p ${fmtP(mw.pValue)} < ${fmt(alpha)})`,
    );
  }
  const decide = verdictOn({ ...r, effect, test });
  const up = worse(m, m.effect, value, m.tolerance);
  const down = better(m, m.effect, value, m.tolerance);
  // Class by the direction of the shift: high = candidate higher than stable beyond tolerance.
  const candidateHigher = m.effect === "difference" ? value > 0 : value > 1;
  if (significant && (up || down)) {
    const cls: Classification = candidateHigher ? "high" : "low";
    const isWorse = up;
    return decide(
      cls,
      !isWorse,
      isWorse
        ? `significantly ${cls === "high" ? "higher" : "lower"} than stable (p ${fmtP(mw.pValue)} < ${fmt(alpha)}) and ${m.effect} ${fmt(value)} beyond the tolerance ${fmt(m.tolerance)}`
        : `significantly better than stable (p ${fmtP(mw.pValue)})`,
    );
  }
  return decide(
    "pass",
    true,
    significant
      ? `significant (p ${fmtP(mw.pValue)}) but ${m.effect} ${fmt(value)} within the tolerance ${fmt(m.tolerance)}`
      : `no significant difference (p ${fmtP(mw.pValue)} >= ${fmt(alpha)})`,
  );
}
