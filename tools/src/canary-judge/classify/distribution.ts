import type { ResolvedJudgement } from "../definition/judgement.js";
import type { MetricDefinition } from "../definition/schema.js";
import { fmt, fmtP } from "../format.js";
import { chiSquareHomogeneity, populationStabilityIndex } from "../stats.js";
import { base, effectOf, tooFew, verdictOn } from "./shared.js";
import type { MetricResult, Observation } from "./types.js";

/**
 * Distribution metrics (predicted classes): a chi-square test of homogeneity on the per-class
 * counts and the PSI as the effect against the tolerance and hard limit.
 */
export function classifyDistribution(
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
  const effect = effectOf(m, "psi", psi, beyond, breached);
  const test = { name: "chi-square" as const, statistic: chi.statistic, pValue: chi.pValue, dof: chi.dof };
  const decide = verdictOn({ ...r, effect, test });
  if (breached) {
    return decide(
      "high",
      false,
      `PSI ${fmt(psi)} beyond the hard limit ${fmt(m.hardLimit ?? 0)} (chi-square p ${fmtP(chi.pValue)} < ${fmt(alpha)})`,
    );
  }
  if (chi.pValue < alpha && psi > m.tolerance) {
    return decide(
      "high",
      false,
      `class distribution differs (chi-square p ${fmtP(chi.pValue)} < ${fmt(alpha)}) and PSI ${fmt(psi)} beyond the tolerance ${fmt(m.tolerance)}`,
    );
  }
  return decide(
    "pass",
    true,
    chi.pValue < alpha
      ? `significant (chi-square p ${fmtP(chi.pValue)}) but PSI ${fmt(psi)} within the tolerance ${fmt(m.tolerance)}`
      : `no significant shift (chi-square p ${fmtP(chi.pValue)} >= ${fmt(alpha)})`,
  );
}
