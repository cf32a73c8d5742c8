/** report.json: what a rehearsal did, stage by stage, and what production saw meanwhile. */
import type { PlatformName } from "../options.js";
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

/** What one controller (or kwok, or the rehearsal standing in for Argo CD or an operator) did. */
export type ClusterAction = {
  /** Seconds from the rehearsal's start. */
  at: number;
  controller: string;
  /** kind/name of the object acted on. */
  object: string;
  reason: string;
  message: string;
};

/** The Rollout's status as the API server returned it, at one change. */
export type RolloutState = {
  at: number;
  phase: string;
  step: string;
  /** The canary's traffic weight (status.canary.weights), percent. */
  canary_weight: number | null;
  stable: string;
  current: string;
  abort: boolean;
  message: string;
};

export type AnalysisRunRecord = {
  name: string;
  phase: string;
  message: string;
  metrics: {
    name: string;
    phase: string;
    count: number;
    successful: number;
    failed: number;
    inconclusive: number;
    error: number;
    /** Each measurement: when it finished, its phase and its value (the verdict's report, a query result). */
    measurements: { at: number; phase: string; value: string }[];
  }[];
};

/** --platform kube: what ran on the local control plane, what was simulated, and who did what. */
export type ClusterRecord = {
  /** One line each: the parts that ran for real. */
  real: string[];
  /** One line each: what kwok or the rehearsal played. */
  simulated: string[];
  /** The fake nodes (kwok): name, Terraform node group, zone. */
  nodes: { name: string; group: string; zone: string }[];
  /** Every server Pod that ran: where the scheduler put it and the process that played its container. */
  pods: { name: string; node: string; track: string; process: string; versions: string[] }[];
  /** In order: the controllers' Events as the API server holds them, and the rehearsal's own acts. */
  actions: ClusterAction[];
  rollout: RolloutState[];
  analysis_runs: AnalysisRunRecord[];
};

export type RehearsalReport = {
  scenario: string;
  /** Where production ran (absent in reports from before --platform: local). */
  platform?: PlatformName;
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
  /** --platform kube only (absent or null otherwise). */
  cluster?: ClusterRecord | null;
};
