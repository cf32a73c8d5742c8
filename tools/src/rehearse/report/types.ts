/** report.json: what a rehearsal did, stage by stage, and what production saw meanwhile. */
import type { Outcome } from "../scenarios.js";

export type StageName = "candidate" | "accuracy gate" | "publish" | "load gate" | "canary" | "promote";
export type StageStatus = "passed" | "failed" | "skipped" | "error";

export type StageRecord = {
  name: StageName;
  status: StageStatus;
  /** ISO time; null for a stage that never started. */
  started_at: string | null;
  seconds: number;
  /** The gate's or the verdict's numbers in one line, or why the stage did not run. */
  summary: string;
  /** Reports the stage wrote, relative to the report folder. */
  reports: string[];
};

export type Verdict = "promote" | "hold" | "rollback";

export type CanaryStep = {
  weight: number;
  verdict: Verdict;
  score: number | null;
  /** Judged window, seconds from the rehearsal's start. */
  from: number;
  to: number;
  /** True when this verdict was on the step extended after a hold. */
  extended: boolean;
  /** The tracks compared: the candidate's against this stable baseline track. */
  baseline_track: string;
  /** Metrics whose test failed the candidate (high and worse), with the reason. */
  failed_metrics: { name: string; reason: string }[];
  reasons: string[];
  report: string;
};

/** A per-track series, one value per `step` seconds from `start` (null: no data). */
export type Series = Record<string, (number | null)[]>;

export type Timeline = {
  /** Unix seconds of the first point. */
  start: number;
  step: number;
  requests_per_second: Series;
  p95_latency_seconds: Series;
  error_rate: Series;
};

export type RehearsalReport = {
  scenario: string;
  story: string;
  expected: Outcome;
  outcome: Outcome | "error" | "interrupted";
  exit_code: number;
  started_at: string;
  seconds: number;
  model: string;
  candidate: { version: number | null; description: string };
  production: {
    requests: number;
    failed: number;
    stable_before: number;
    stable_after: number | null;
    by_version: Record<string, number>;
    /** Failed production requests by kind ("HTTP 503", "TimeoutError"): count and first detail. */
    failures: Record<string, { count: number; first: string }>;
    rate: number;
    rows_per_request: number;
  };
  stages: StageRecord[];
  canary_steps: CanaryStep[];
  /** The metrics that made the verdict roll the candidate back (empty otherwise). */
  caught_by: string[];
  /** Production's S3 repository at the end: the versions with a manifest (published stays published). */
  repository: { uri: string; versions: number[] } | null;
  /** The local GitOps repository (relative to the report folder), its log and the last change. */
  gitops: { repository: string; log: string[]; diff: string } | null;
  /** One line each: what a real pipeline does that this machine cannot. */
  not_real_here: string[];
  /** Where the rehearsal runs a stage differently from the workflow, and why. */
  differences: string[];
  error: string | null;
  /** Every process the rehearsal started, by PID, and how it ended (all stopped by the end). */
  processes: { name: string; pid: number; exit: string }[];
  timeline: Timeline | null;
};
