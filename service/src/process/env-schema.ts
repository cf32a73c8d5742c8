/**
 * The environment the server reads, as one zod schema (config.ts turns it into the frozen Config).
 * Kept apart so the list of variables and their rules read in one place.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { TRACKS } from "../contract/tracks.js";
import { BUNDLED_REPOSITORY } from "../paths.js";
import { trackPointerSchema } from "../repository/track-pointer.js";
import { parseVersionPolicy } from "../repository/version-policy.js";
import { parseExecutionProviders } from "../runtime/execution-providers.js";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const csv = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
          "model names use letters, digits, _ . - and start with a letter or digit",
        ),
    ),
  );

const repositoryUri = z
  .string()
  .refine((s) => /^(file:\/\/|s3:\/\/[^/]+)/.test(s) || s.startsWith("/"), {
    message: "must be file:///abs/path, an absolute path, or s3://bucket[/prefix]",
  })
  .transform((s) => (s.startsWith("/") ? pathToFileURL(s).href : s));

export const graphOptimization = z.enum(["disabled", "basic", "extended", "all"]);
// A pod is one side of a pod-level canary; "direct" names requests, never a pod.
const track = z.enum(TRACKS).exclude(["direct"]);

/**
 * Every environment variable the service reads, in one schema. Names follow the design card:
 * INFERGATE_* except the conventional PORT, HOST, LOG_LEVEL and AWS_*.
 */
export const envSchema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  INFERGATE_GRPC_PORT: int(0, 65535).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  INFERGATE_MODEL_REPOSITORY: repositoryUri.default(pathToFileURL(BUNDLED_REPOSITORY).href),
  INFERGATE_MODEL_CACHE_DIR: z.string().min(1).default(join(tmpdir(), "infergate-cache")),
  INFERGATE_MODELS: csv.optional(),
  INFERGATE_VERSION_POLICY: z
    .string()
    .default("latest:1")
    .transform((s, ctx) => {
      try {
        return parseVersionPolicy(s);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),
  INFERGATE_S3_ENDPOINT: z.url().optional(),
  INFERGATE_S3_FORCE_PATH_STYLE: bool.default(false),
  AWS_REGION: z.string().min(1).default("us-east-1"),
  INFERGATE_S3_MAX_ATTEMPTS: int(1, 10).default(4),
  INFERGATE_INTRA_OP_THREADS: int(0, 256).default(1),
  INFERGATE_GRAPH_OPTIMIZATION_LEVEL: graphOptimization.default("all"),
  INFERGATE_EXECUTION_PROVIDERS: z
    .string()
    .default("cpu")
    .transform((s, ctx) => {
      try {
        return parseExecutionProviders(s);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),
  INFERGATE_BODY_LIMIT_BYTES: int(1024, 1024 * 1024 * 1024).default(8 * 1024 * 1024),
  INFERGATE_DRAIN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  INFERGATE_TRACK: track.optional(),
  INFERGATE_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  INFERGATE_POLL_INTERVAL_MS: int(0, 86_400_000).default(30_000),
  INFERGATE_ROUTING_KEY_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .transform((s) => s.toLowerCase())
    .default("x-routing-key"),
  INFERGATE_SHADOW_QUEUE_SIZE: int(1, 100_000).default(64),
  INFERGATE_TRACKS: z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be JSON" });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string(), trackPointerSchema))
    .optional(),
  INFERGATE_LOG_PAYLOADS: bool.default(false),
  INFERGATE_DOCS: bool.default(true),
  INFERGATE_WORKERS: int(0, 256).default(0),
  INFERGATE_BATCHING: bool.default(true),
  INFERGATE_MAX_BATCH_SIZE: int(1, 65536).default(32),
  INFERGATE_MAX_QUEUE_DELAY_US: int(0, 1_000_000).default(0),
  INFERGATE_MAX_QUEUE_SIZE: int(1, 1_000_000).default(256),
  INFERGATE_MAX_ROWS_PER_REQUEST: int(1, 1_000_000).optional(),
  INFERGATE_MEMORY_LIMIT_BYTES: int(64 * 1024 * 1024, 2 ** 50).optional(),
  INFERGATE_MEMORY_BUDGET_BYTES: int(1024 * 1024, 2 ** 50).optional(),
  INFERGATE_MAX_MODEL_BYTES: int(1024, 2 ** 50).optional(),
  INFERGATE_HEADERS_TIMEOUT_MS: int(1000, 600_000).default(10_000),
  INFERGATE_REQUEST_TIMEOUT_MS: int(1000, 3_600_000).default(60_000),
  INFERGATE_KEEPALIVE_TIMEOUT_MS: int(1000, 3_600_000).default(65_000),
  INFERGATE_MAX_REQUESTS_PER_SOCKET: int(0, 1_000_000_000).default(0),
  INFERGATE_ROUTING_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
});

/** Every environment variable the server reads (README "Configuration" documents each). */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(envSchema.shape));
