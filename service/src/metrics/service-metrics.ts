import { Counter, Gauge, Histogram, Registry } from "@prometheus-io/client";
import type { Track } from "../contract/tracks.js";
import {
  type BoundCounter,
  type BoundGauge,
  type BoundHistogram,
  bindCounter,
  bindGauge,
  bindHistogram,
} from "./bound-metrics.js";

export const OUTCOMES = ["success", "client_error", "server_error", "rejected", "timeout"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Request latency buckets (seconds), shared by the service and HTTP route histograms. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The service's own metrics (`infergate_<noun>_<unit>`), in a registry of their own so several
 * apps can live in one process (tests) without clashing. HTTP and process metrics come from
 * fastify-metrics; `/metrics` serves both.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly inferenceRequests = new Counter({
    name: "infergate_inference_requests_total",
    help: "Inference requests by model, version, track and outcome.",
    labelNames: ["model", "version", "track", "outcome"] as const,
    registers: [this.registry],
  });
  readonly inferenceDuration = new Histogram({
    name: "infergate_inference_duration_seconds",
    help: "Time from a decoded request to its encoded outputs, including queueing.",
    labelNames: ["model", "version", "track"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly grpcRequests = new Counter({
    name: "infergate_grpc_requests_total",
    help: "Calls to the gRPC API by method and status code (HTTP requests: http_request_duration_seconds).",
    labelNames: ["method", "code"] as const,
    registers: [this.registry],
  });
  readonly inflight = new Gauge({
    name: "infergate_inflight_requests",
    help: "Inference requests being processed now.",
    labelNames: ["model", "version", "track"] as const,
    registers: [this.registry],
  });
  // Across workers (node:cluster) a version is ready only if it is ready in every worker.
  readonly modelReady = new Gauge({
    aggregator: "min",
    name: "infergate_model_ready",
    help: "1 when the model version is loaded, verified and warmed up, else 0.",
    labelNames: ["model", "version"] as const,
    registers: [this.registry],
  });
  readonly modelInfo = new Gauge({
    aggregator: "max",
    name: "infergate_model_info",
    help: "Loaded model versions and the sha256 of their artifact (always 1).",
    labelNames: ["model", "version", "sha256"] as const,
    registers: [this.registry],
  });
  readonly modelLoadDuration = new Histogram({
    name: "infergate_model_load_duration_seconds",
    help: "Time to fetch, verify, load and warm up a model version.",
    labelNames: ["model", "version"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly modelLoadFailures = new Counter({
    name: "infergate_model_load_failures_total",
    help: "Model versions that failed to load, by reason.",
    labelNames: ["model", "version", "reason"] as const,
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: "infergate_batch_size",
    help: "Rows per ONNX Runtime run (after adaptive batching).",
    labelNames: ["model", "version"] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly queueDuration = new Histogram({
    name: "infergate_queue_duration_seconds",
    help: "Time a request waited in the batch queue before its run started.",
    labelNames: ["model", "version"] as const,
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "infergate_queue_depth",
    help: "Requests waiting in the batch queue.",
    labelNames: ["model", "version"] as const,
    registers: [this.registry],
  });
  readonly queueCapacity = new Gauge({
    name: "infergate_queue_capacity",
    help: "Maximum requests the batch queue holds before refusing (503).",
    labelNames: ["model", "version"] as const,
    registers: [this.registry],
  });
  readonly requestBytesHeld = new Gauge({
    name: "infergate_request_bytes_held",
    help: "Bytes of request bodies admitted and not yet answered (the memory budget's use).",
    registers: [this.registry],
  });
  readonly requestBytesBudget = new Gauge({
    name: "infergate_request_bytes_budget",
    help: "Bytes of request bodies a worker may hold at once (INFERGATE_MEMORY_BUDGET_BYTES).",
    registers: [this.registry],
  });
  readonly admissionRejected = new Counter({
    name: "infergate_admission_rejected_total",
    help: "Requests refused before their body was read: body_too_large (413), memory_budget (503).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: "infergate_rejected_requests_total",
    help: "Requests refused without running: queue_full (503), timeout (504), not_ready (503).",
    labelNames: ["model", "version", "reason"] as const,
    registers: [this.registry],
  });

  readonly shadowComparisons = new Counter({
    name: "infergate_shadow_comparisons_total",
    help: "Shadowed rows compared with the answer: agree when both versions predict the same top class.",
    labelNames: ["model", "stable_version", "candidate_version", "agreement"] as const,
    registers: [this.registry],
  });
  readonly shadowScoreDiff = new Histogram({
    name: "infergate_shadow_score_abs_diff",
    help: "Per shadowed row, the mean absolute difference between the two versions' scores.",
    labelNames: ["model", "stable_version", "candidate_version"] as const,
    buckets: [0.0001, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly shadowDropped = new Counter({
    name: "infergate_shadow_dropped_total",
    help: "Shadow runs skipped (the shadow queue or the candidate's queue full) or failed to compare (error).",
    labelNames: ["model", "reason"] as const,
    registers: [this.registry],
  });
  readonly adminChanges = new Counter({
    name: "infergate_admin_changes_total",
    help: "Track changes made through the admin API, by action.",
    labelNames: ["model", "action"] as const,
    registers: [this.registry],
  });
  readonly reloads = new Counter({
    name: "infergate_repository_reloads_total",
    help: "Repository reconciliations, by trigger and result.",
    labelNames: ["trigger", "result"] as const,
    registers: [this.registry],
  });

  constructor(readonly pinnedTrack?: Track) {}

  /** Batch queue metrics of one version, bound once at load time. */
  forBatcher(model: string, version: number): BatchMetrics {
    const labels = { model, version: String(version) };
    return {
      model,
      version,
      batchSize: bindHistogram(this.batchSize, labels),
      queueDuration: bindHistogram(this.queueDuration, labels),
      queueDepth: bindGauge(this.queueDepth, labels),
      queueCapacity: bindGauge(this.queueCapacity, labels),
      rejectedQueueFull: bindCounter(this.rejected, { ...labels, reason: "queue_full" }),
      rejectedTimeout: bindCounter(this.rejected, { ...labels, reason: "timeout" }),
    };
  }

  /** Shadow comparison metrics of one stable/candidate pair, bound once per pair. */
  forShadowPair(model: string, stableVersion: number, candidateVersion: number): ShadowPairMetrics {
    const labels = {
      model,
      stable_version: String(stableVersion),
      candidate_version: String(candidateVersion),
    };
    return {
      agree: bindCounter(this.shadowComparisons, { ...labels, agreement: "agree" }),
      disagree: bindCounter(this.shadowComparisons, { ...labels, agreement: "disagree" }),
      scoreDiff: bindHistogram(this.shadowScoreDiff, labels),
    };
  }

  /** Label children bound once per loaded version, so the predict path does no label lookups. */
  readonly predictedClass = new Counter({
    name: "infergate_predicted_class_total",
    help: "Rows answered per predicted (top) class, for classifiers: the prediction distribution.",
    labelNames: ["model", "version", "track", "class"] as const,
    registers: [this.registry],
  });

  /**
   * Metrics of one version, bound once per track on first use so the predict path does no label
   * lookups. `classes` are a classifier's labels. A pinned track (INFERGATE_TRACK: this process
   * is one side of a pod-level canary) replaces whatever track the server would use.
   */
  forVersion(
    model: string,
    version: number,
    classes: readonly string[] = [],
  ): (track: Track) => VersionMetrics {
    const v = String(version);
    const bound = new Map<Track, VersionMetrics>();
    return (requested) => {
      const track = this.pinnedTrack ?? requested;
      let m = bound.get(track);
      if (!m) {
        const labels = { model, version: v, track };
        const outcomes = Object.fromEntries(
          OUTCOMES.map((outcome) => [outcome, bindCounter(this.inferenceRequests, { ...labels, outcome })]),
        ) as Record<Outcome, BoundCounter>;
        m = {
          outcomes,
          duration: bindHistogram(this.inferenceDuration, labels),
          inflight: bindGauge(this.inflight, labels),
          classes: classes.map((c) => bindCounter(this.predictedClass, { ...labels, class: c })),
        };
        bound.set(track, m);
      }
      return m;
    };
  }
}

export type VersionMetrics = Readonly<{
  outcomes: Readonly<Record<Outcome, BoundCounter>>;
  /** Seconds from a decoded request to its encoded outputs. */
  duration: BoundHistogram;
  inflight: BoundGauge;
  /** Per class index of a classifier; empty for other models. */
  classes: readonly BoundCounter[];
}>;

export type BatchMetrics = Readonly<{
  model: string;
  version: number;
  batchSize: BoundHistogram;
  queueDuration: BoundHistogram;
  queueDepth: BoundGauge;
  queueCapacity: BoundGauge;
  rejectedQueueFull: BoundCounter;
  rejectedTimeout: BoundCounter;
}>;

export type ShadowPairMetrics = Readonly<{
  agree: BoundCounter;
  disagree: BoundCounter;
  scoreDiff: BoundHistogram;
}>;
