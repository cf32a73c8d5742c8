import type { MetricDefinition, ResolvedJudgement } from "./definition.js";
import {
  binomialTestGreater,
  chiSquareHomogeneity,
  mannWhitneyU,
  populationStabilityIndex,
} from "./stats.js";

/**
 * Classification and verdict, in the manner of Kayenta's judge: each metric is compared between
 * the tracks with a test on its samples and an effect-size tolerance and classified pass / high /
 * low / nodata; critical metrics and hard limits (Kayenta's critical effect sizes: a significant
 * difference beyond them) can fail the run outright; the rest becomes a
 * 0-100 score against pass and marginal cut-offs. Pure functions over observations: the data
 * comes from collect.ts.
 */

export type TrackSamples = {
  /** The metric over the whole window (NaN when the track had no traffic). */
  value: number;
  /** Observations behind it (requests, rows). */
  count: number;
  /** Per-interval values (non-finite intervals already dropped). */
  intervals: number[];
};

export type Observation =
  | { kind: "samples"; stable: TrackSamples; candidate: TrackSamples }
  | { kind: "distribution"; stable: Record<string, number>; candidate: Record<string, number> }
  | { kind: "agreement"; agree: number; disagree: number };

export type Classification = "pass" | "high" | "low" | "nodata";

export type MetricResult = {
  name: string;
  kind: MetricDefinition["kind"];
  description?: string | undefined;
  unit: MetricDefinition["unit"];
  direction: MetricDefinition["direction"];
  critical: boolean;
  weight: number;
  class: Classification;
  /** Classified and not worse than the stable track (undefined for nodata). */
  passed?: boolean;
  stable: { value?: number; samples: number; intervals?: number };
  candidate: { value?: number; samples: number; intervals?: number };
  effect?: {
    measure: "difference" | "ratio" | "psi" | "rate";
    value: number;
    tolerance: number;
    hardLimit?: number;
    /** The window's effect is beyond the hard limit (what the chart's fast-fail metric checks). */
    beyondHardLimit: boolean;
    /** ...and the test says it is no noise: the run fails outright (rollback). */
    hardLimitBreached: boolean;
  };
  test?: {
    name: "mann-whitney-u" | "chi-square" | "binomial";
    statistic?: number;
    pValue: number;
    method?: string;
    dof?: number;
  };
  /** Per-class shares for distribution metrics. */
  distribution?: { classes: string[]; stable: number[]; candidate: number[] };
  reason: string;
};

const finite = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n);

function tooFew(m: MetricDefinition, stable: number, candidate: number, what: string): string | undefined {
  if (stable === 0 || candidate === 0) {
    return `no ${what} on the ${stable === 0 ? "stable" : "candidate"} track`;
  }
  if (stable < m.minSamples || candidate < m.minSamples) {
    return `too few ${what}: stable ${stable}, candidate ${candidate} (need ${m.minSamples} each)`;
  }
  return undefined;
}

/** Whether `effect` is beyond `limit` in the metric's worse direction. */
function worse(
  m: MetricDefinition,
  measure: "difference" | "ratio" | "psi" | "rate",
  effect: number,
  limit: number,
) {
  if (measure === "difference") return m.direction === "increase" ? effect > limit : effect < -limit;
  if (measure === "ratio") return m.direction === "increase" ? effect > limit : effect < limit;
  return effect > limit; // psi, rate: only "more" is worse
}

/** Whether `effect` is beyond the tolerance in the other (better) direction. */
function better(m: MetricDefinition, measure: "difference" | "ratio", effect: number, tolerance: number) {
  if (measure === "difference") return m.direction === "increase" ? effect < -tolerance : effect > tolerance;
  if (tolerance <= 0) return false;
  return m.direction === "increase" ? effect < 1 / tolerance : effect > 1 / tolerance;
}

function base(m: MetricDefinition): Omit<MetricResult, "class" | "stable" | "candidate" | "reason"> {
  return {
    name: m.name,
    kind: m.kind,
    description: m.description,
    unit: m.unit,
    direction: m.direction,
    critical: m.critical,
    weight: m.weight,
  };
}

function classifySamples(
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
  const effect = {
    measure: m.effect,
    value,
    tolerance: m.tolerance,
    ...(m.hardLimit !== undefined ? { hardLimit: m.hardLimit } : {}),
    beyondHardLimit: beyond,
    hardLimitBreached: false,
  };
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
    return {
      ...r,
      effect: { ...effect, hardLimitBreached: true },
      test,
      class: m.direction === "increase" ? "high" : "low",
      passed: false,
      reason: `${m.effect} ${fmt(value)} beyond the hard limit ${fmt(m.hardLimit ?? 0)} (p ${fmtP(mw.pValue)} < ${fmt(alpha)})`,
    };
  }
  const up = worse(m, m.effect, value, m.tolerance);
  const down = better(m, m.effect, value, m.tolerance);
  // Class by the direction of the shift: high = candidate higher than stable beyond tolerance.
  const candidateHigher = m.effect === "difference" ? value > 0 : value > 1;
  if (significant && (up || down)) {
    const cls: Classification = candidateHigher ? "high" : "low";
    const isWorse = up;
    return {
      ...r,
      effect,
      test,
      class: cls,
      passed: !isWorse,
      reason: isWorse
        ? `significantly ${cls === "high" ? "higher" : "lower"} than stable (p ${fmtP(mw.pValue)} < ${fmt(alpha)}) and ${m.effect} ${fmt(value)} beyond the tolerance ${fmt(m.tolerance)}`
        : `significantly better than stable (p ${fmtP(mw.pValue)})`,
    };
  }
  return {
    ...r,
    effect,
    test,
    class: "pass",
    passed: true,
    reason: significant
      ? `significant (p ${fmtP(mw.pValue)}) but ${m.effect} ${fmt(value)} within the tolerance ${fmt(m.tolerance)}`
      : `no significant difference (p ${fmtP(mw.pValue)} >= ${fmt(alpha)})`,
  };
}

function classifyDistribution(
  m: Extract<MetricDefinition, { kind: "distribution" }>,
  o: Extract<Observation, { kind: "distribution" }>,
  j: ResolvedJudgement,
): MetricResult {
  const classes = [...new Set([...Object.keys(o.stable), ...Object.keys(o.candidate)])].sort((a, b) =>
    a.localeCompare(b, "en", { numeric: true }),
  );
  const s = classes.map((c) => Math.round(o.stable[c] ?? 0));
  const c = classes.map((k) => Math.round(o.candidate[k] ?? 0));
  const ns = s.reduce((a, b) => a + b, 0);
  const nc = c.reduce((a, b) => a + b, 0);
  const share = (v: number[], n: number) => v.map((x) => (n > 0 ? x / n : 0));
  const r = {
    ...base(m),
    stable: { samples: ns },
    candidate: { samples: nc },
    distribution: { classes, stable: share(s, ns), candidate: share(c, nc) },
  };
  const missing = tooFew(m, ns, nc, "predictions");
  if (missing) return { ...r, class: "nodata", reason: missing };
  const chi = chiSquareHomogeneity(s, c);
  const psi = populationStabilityIndex(s, c);
  const alpha = 1 - j.confidence;
  const beyond = m.hardLimit !== undefined && psi > m.hardLimit;
  const breached = beyond && chi.pValue < alpha;
  const effect = {
    measure: "psi" as const,
    value: psi,
    tolerance: m.tolerance,
    ...(m.hardLimit !== undefined ? { hardLimit: m.hardLimit } : {}),
    beyondHardLimit: beyond,
    hardLimitBreached: breached,
  };
  const test = { name: "chi-square" as const, statistic: chi.statistic, pValue: chi.pValue, dof: chi.dof };
  if (breached) {
    return {
      ...r,
      effect,
      test,
      class: "high",
      passed: false,
      reason: `PSI ${fmt(psi)} beyond the hard limit ${fmt(m.hardLimit ?? 0)} (chi-square p ${fmtP(chi.pValue)} < ${fmt(alpha)})`,
    };
  }
  if (chi.pValue < alpha && psi > m.tolerance) {
    return {
      ...r,
      effect,
      test,
      class: "high",
      passed: false,
      reason: `class distribution differs (chi-square p ${fmtP(chi.pValue)} < ${fmt(alpha)}) and PSI ${fmt(psi)} beyond the tolerance ${fmt(m.tolerance)}`,
    };
  }
  return {
    ...r,
    effect,
    test,
    class: "pass",
    passed: true,
    reason:
      chi.pValue < alpha
        ? `significant (chi-square p ${fmtP(chi.pValue)}) but PSI ${fmt(psi)} within the tolerance ${fmt(m.tolerance)}`
        : `no significant shift (chi-square p ${fmtP(chi.pValue)} >= ${fmt(alpha)})`,
  };
}

function classifyAgreement(
  m: Extract<MetricDefinition, { kind: "agreement" }>,
  o: Extract<Observation, { kind: "agreement" }>,
  j: ResolvedJudgement,
): MetricResult {
  const agree = Math.round(o.agree);
  const disagree = Math.round(o.disagree);
  const n = agree + disagree;
  const rate = n > 0 ? disagree / n : Number.NaN;
  const r = {
    ...base(m),
    stable: { samples: n },
    candidate: { ...(n > 0 ? { value: rate } : {}), samples: n },
  };
  if (n === 0) return { ...r, class: "nodata", reason: "no shadow comparisons (no shadow track)" };
  if (n < m.minSamples) {
    return { ...r, class: "nodata", reason: `too few shadow comparisons: ${n} (need ${m.minSamples})` };
  }
  const p = binomialTestGreater(disagree, n, m.tolerance);
  const alpha = 1 - j.confidence;
  const beyond = m.hardLimit !== undefined && rate > m.hardLimit;
  const breached = beyond && p < alpha;
  const effect = {
    measure: "rate" as const,
    value: rate,
    tolerance: m.tolerance,
    ...(m.hardLimit !== undefined ? { hardLimit: m.hardLimit } : {}),
    beyondHardLimit: beyond,
    hardLimitBreached: breached,
  };
  const test = { name: "binomial" as const, statistic: disagree, pValue: p };
  if (breached) {
    return {
      ...r,
      effect,
      test,
      class: "high",
      passed: false,
      reason: `disagreement ${fmt(rate)} beyond the hard limit ${fmt(m.hardLimit ?? 0)} (p ${fmtP(p)} < ${fmt(alpha)})`,
    };
  }
  if (p < alpha) {
    return {
      ...r,
      effect,
      test,
      class: "high",
      passed: false,
      reason: `disagreement ${fmt(rate)} significantly above the tolerance ${fmt(m.tolerance)} (p ${fmtP(p)})`,
    };
  }
  return {
    ...r,
    effect,
    test,
    class: "pass",
    passed: true,
    reason: `disagreement ${fmt(rate)} not above the tolerance ${fmt(m.tolerance)} (p ${fmtP(p)})`,
  };
}

export function classify(m: MetricDefinition, o: Observation, j: ResolvedJudgement): MetricResult {
  if (m.kind === "samples" && o.kind === "samples") return classifySamples(m, o, j);
  if (m.kind === "distribution" && o.kind === "distribution") return classifyDistribution(m, o, j);
  if (m.kind === "agreement" && o.kind === "agreement") return classifyAgreement(m, o, j);
  throw new TypeError(`observation of kind ${o.kind} for metric ${m.name} of kind ${m.kind}`);
}

export type Verdict = "promote" | "hold" | "rollback";

export type Decision = { verdict: Verdict; score?: number; reasons: string[] };

/**
 * rollback: a hard limit breached (significantly worse and beyond it), a critical metric failed,
 * or a score below marginal.
 * hold: a critical metric (or every metric) without enough data, or a marginal score.
 * promote: a score at or above the pass cut-off.
 */
export function decide(results: readonly MetricResult[], j: ResolvedJudgement): Decision {
  const reasons: string[] = [];
  const breached = results.filter((r) => r.effect?.hardLimitBreached);
  const criticalFailed = results.filter(
    (r) => r.critical && r.passed === false && !r.effect?.hardLimitBreached,
  );
  for (const r of breached) reasons.push(`${r.name}: ${r.reason}`);
  for (const r of criticalFailed) reasons.push(`${r.name} (critical): ${r.reason}`);
  const scored = results.filter((r) => r.class !== "nodata" && r.weight > 0);
  const total = scored.reduce((s, r) => s + r.weight, 0);
  const score =
    total > 0 ? (100 * scored.filter((r) => r.passed).reduce((s, r) => s + r.weight, 0)) / total : undefined;
  const rounded = score === undefined ? {} : { score: Math.round(score * 10) / 10 };
  if (breached.length > 0 || criticalFailed.length > 0) return { verdict: "rollback", ...rounded, reasons };
  const criticalNoData = results.filter((r) => r.critical && r.class === "nodata");
  if (criticalNoData.length > 0 || score === undefined) {
    for (const r of criticalNoData) reasons.push(`${r.name} (critical): ${r.reason}`);
    if (score === undefined) reasons.push("no metric has enough data to judge");
    return { verdict: "hold", ...rounded, reasons };
  }
  for (const r of scored.filter((x) => !x.passed)) reasons.push(`${r.name}: ${r.reason}`);
  const s = rounded.score ?? score;
  if (s >= j.score.pass) return { verdict: "promote", score: s, reasons };
  if (s >= j.score.marginal) {
    reasons.push(`score ${s} is marginal (pass >= ${j.score.pass}, marginal >= ${j.score.marginal})`);
    return { verdict: "hold", score: s, reasons };
  }
  reasons.push(`score ${s} below the marginal cut-off ${j.score.marginal}`);
  return { verdict: "rollback", score: s, reasons };
}

/** Exit codes: 0 promote, 1 rollback, 3 hold (2 is usage or query error). `argo`: hold exits 0. */
export function exitCode(verdict: Verdict, mode: "default" | "argo" = "default"): number {
  if (verdict === "promote") return 0;
  if (verdict === "rollback") return 1;
  return mode === "argo" ? 0 : 3;
}

/** Numbers in reasons and tables: 4 significant digits, no exponent for everyday magnitudes. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return "0";
  const a = Math.abs(n);
  if (a >= 1e6 || a < 1e-4) return n.toExponential(2);
  return String(Number(n.toPrecision(4)));
}

/** p-values: 3 significant digits, "<1e-12" below what the distributions resolve. */
export function fmtP(p: number): string {
  if (p < 1e-12) return "<1e-12";
  if (p >= 0.001) return String(Number(p.toPrecision(3)));
  return p.toExponential(2);
}
