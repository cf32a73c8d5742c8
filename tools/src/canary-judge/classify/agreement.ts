import type { ResolvedJudgement } from "../definition/judgement.js";
import type { MetricDefinition } from "../definition/schema.js";
import { fmt, fmtP } from "../format.js";
import { binomialTestGreater } from "../stats.js";
import { base, effectOf, verdictOn } from "./shared.js";
import type { MetricResult, Observation } from "./types.js";

/**
 * Agreement metrics (shadow comparisons): a one-sided binomial test of the disagreement rate
 * against the tolerance, the rate itself against the hard limit.
 */
export function classifyAgreement(
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
  const effect = effectOf(m, "rate", rate, beyond, breached);
  const decide = verdictOn({ ...r, effect, test: { name: "binomial", statistic: disagree, pValue: p } });
  if (breached) {
    return decide(
      "high",
      false,
      `disagreement ${fmt(rate)} beyond the hard limit ${fmt(m.hardLimit ?? 0)} (p ${fmtP(p)} < ${fmt(alpha)})`,
    );
  }
  if (p < alpha) {
    return decide(
      "high",
      false,
      `disagreement ${fmt(rate)} significantly above the tolerance ${fmt(m.tolerance)} (p ${fmtP(p)})`,
    );
  }
  return decide(
    "pass",
    true,
    `disagreement ${fmt(rate)} not above the tolerance ${fmt(m.tolerance)} (p ${fmtP(p)})`,
  );
}
