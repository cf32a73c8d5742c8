import type { MetricDefinition } from "../definition/schema.js";

/** What the classifiers take (observations per track) and give (a classified metric). */

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
