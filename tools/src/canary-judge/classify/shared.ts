import type { MetricDefinition } from "../definition/schema.js";
import type { Classification, MetricResult } from "./types.js";

/** Helpers the per-kind classifiers share: sample sufficiency, effect direction, the effect, the result's base. */

export const finite = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n);

export function tooFew(
  m: MetricDefinition,
  stable: number,
  candidate: number,
  what: string,
): string | undefined {
  if (stable === 0 || candidate === 0) {
    return `no ${what} on the ${stable === 0 ? "stable" : "candidate"} track`;
  }
  if (stable < m.minSamples || candidate < m.minSamples) {
    return `too few ${what}: stable ${stable}, candidate ${candidate} (need ${m.minSamples} each)`;
  }
  return undefined;
}

/** Whether `effect` is beyond `limit` in the metric's worse direction. */
export function worse(
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
export function better(
  m: MetricDefinition,
  measure: "difference" | "ratio",
  effect: number,
  tolerance: number,
) {
  if (measure === "difference") return m.direction === "increase" ? effect < -tolerance : effect > tolerance;
  if (tolerance <= 0) return false;
  return m.direction === "increase" ? effect < 1 / tolerance : effect > 1 / tolerance;
}

/** The window's effect against the metric's tolerance and hard limit, as every kind reports it. */
export function effectOf(
  m: MetricDefinition,
  measure: NonNullable<MetricResult["effect"]>["measure"],
  value: number,
  beyondHardLimit: boolean,
  hardLimitBreached: boolean,
): NonNullable<MetricResult["effect"]> {
  return {
    measure,
    value,
    tolerance: m.tolerance,
    ...(m.hardLimit !== undefined ? { hardLimit: m.hardLimit } : {}),
    beyondHardLimit,
    hardLimitBreached,
  };
}

export function base(m: MetricDefinition): Omit<MetricResult, "class" | "stable" | "candidate" | "reason"> {
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

/** A tested metric's verdict: its evidence (tracks, effect, test) with the class, pass and reason. */
export function verdictOn(evidence: Omit<MetricResult, "class" | "passed" | "reason">) {
  return (cls: Classification, passed: boolean, reason: string): MetricResult => ({
    ...evidence,
    class: cls,
    passed,
    reason,
  });
}
