import { resolve } from "node:path";
import type { z } from "zod";
import type { Track } from "../contract/tracks.js";
import type { HttpSettings } from "../http/deps.js";
import type { TrackPointer } from "../repository/track-pointer.js";
import type { VersionPolicy } from "../repository/version-policy.js";
import { envSchema, type graphOptimization } from "./env-schema.js";
import { defaultMaxModelBytes, defaultMemoryBudget, defaultWorkers, memoryLimit } from "./resources.js";

export type Config = Readonly<{
  port: number;
  host: string;
  /** The Open Inference Protocol gRPC server's port (on `host`); undefined: no gRPC server. */
  grpcPort: number | undefined;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  repository: string;
  cacheDir: string;
  models: readonly string[] | undefined;
  versionPolicy: VersionPolicy;
  s3: Readonly<{
    endpoint: string | undefined;
    forcePathStyle: boolean;
    region: string;
    maxAttempts: number;
  }>;
  runtime: Readonly<{
    intraOpThreads: number;
    graphOptimizationLevel: z.infer<typeof graphOptimization>;
    /** ONNX Runtime execution providers, in order of preference; checked against the installed binary. */
    executionProviders: readonly string[];
  }>;
  bodyLimitBytes: number;
  drainTimeoutMs: number;
  /** Set: every metric this process emits carries this track (one side of a pod-level canary). */
  track: Track | undefined;
  adminToken: string | undefined;
  pollIntervalMs: number;
  routingKeyHeader: string;
  shadowQueueSize: number;
  /** Fallback track pointers per model, for repositories without `<model>/tracks.json`. */
  tracks: Readonly<Record<string, TrackPointer>>;
  logPayloads: boolean;
  docs: boolean;
  workers: number;
  batching: Readonly<{
    enabled: boolean;
    maxBatchSize: number;
    maxQueueDelayUs: number;
    maxQueueSize: number;
  }>;
  /** Rows one request may carry; undefined: each model's max batch size. */
  maxRowsPerRequest: number | undefined;
  /** The memory the pod may use (the chart passes its limit), else the cgroup's or the machine's. */
  memoryLimitBytes: number;
  /** Bytes of request bodies one worker holds at once; more is refused at once (503). */
  memoryBudgetBytes: number;
  /** Largest model artifact a worker loads (its memory holds the session beside what serves). */
  maxModelBytes: number;
  /** The HTTP server's timeouts and connection limit, as the app takes them (http/deps.ts). */
  http: HttpSettings["http"];
  /** Keys the sticky routing hash so clients cannot pick their side; undefined: made per start. */
  routingSecret: string | undefined;
}>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses the environment once into a frozen, typed object. A bad value throws a ConfigError whose
 * message names every offending variable, so start-up fails fast and says what to fix.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" (as Kubernetes renders an empty value), not "invalid".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const workers = e.INFERGATE_WORKERS === 0 ? defaultWorkers() : e.INFERGATE_WORKERS;
  const memory = e.INFERGATE_MEMORY_LIMIT_BYTES ?? memoryLimit();
  return deepFreeze({
    port: e.PORT,
    host: e.HOST,
    grpcPort: e.INFERGATE_GRPC_PORT,
    logLevel: e.LOG_LEVEL,
    repository: e.INFERGATE_MODEL_REPOSITORY,
    cacheDir: resolve(e.INFERGATE_MODEL_CACHE_DIR),
    models: e.INFERGATE_MODELS,
    versionPolicy: e.INFERGATE_VERSION_POLICY,
    s3: {
      endpoint: e.INFERGATE_S3_ENDPOINT,
      forcePathStyle: e.INFERGATE_S3_FORCE_PATH_STYLE,
      region: e.AWS_REGION,
      maxAttempts: e.INFERGATE_S3_MAX_ATTEMPTS,
    },
    runtime: {
      intraOpThreads: e.INFERGATE_INTRA_OP_THREADS,
      graphOptimizationLevel: e.INFERGATE_GRAPH_OPTIMIZATION_LEVEL,
      executionProviders: e.INFERGATE_EXECUTION_PROVIDERS,
    },
    bodyLimitBytes: e.INFERGATE_BODY_LIMIT_BYTES,
    drainTimeoutMs: e.INFERGATE_DRAIN_TIMEOUT_MS,
    track: e.INFERGATE_TRACK,
    adminToken: e.INFERGATE_ADMIN_TOKEN,
    pollIntervalMs: e.INFERGATE_POLL_INTERVAL_MS,
    routingKeyHeader: e.INFERGATE_ROUTING_KEY_HEADER,
    shadowQueueSize: e.INFERGATE_SHADOW_QUEUE_SIZE,
    tracks: e.INFERGATE_TRACKS ?? {},
    logPayloads: e.INFERGATE_LOG_PAYLOADS,
    docs: e.INFERGATE_DOCS,
    workers,
    batching: {
      enabled: e.INFERGATE_BATCHING,
      maxBatchSize: e.INFERGATE_MAX_BATCH_SIZE,
      maxQueueDelayUs: e.INFERGATE_MAX_QUEUE_DELAY_US,
      maxQueueSize: e.INFERGATE_MAX_QUEUE_SIZE,
    },
    maxRowsPerRequest: e.INFERGATE_MAX_ROWS_PER_REQUEST,
    memoryLimitBytes: memory,
    memoryBudgetBytes: e.INFERGATE_MEMORY_BUDGET_BYTES ?? defaultMemoryBudget(workers, memory),
    maxModelBytes: e.INFERGATE_MAX_MODEL_BYTES ?? defaultMaxModelBytes(workers, memory),
    http: {
      headersTimeoutMs: e.INFERGATE_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.INFERGATE_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.INFERGATE_KEEPALIVE_TIMEOUT_MS,
      maxRequestsPerSocket: e.INFERGATE_MAX_REQUESTS_PER_SOCKET,
    },
    routingSecret: e.INFERGATE_ROUTING_SECRET,
  });
}
