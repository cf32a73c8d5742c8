import { type ParseArgsConfig, parseArgs } from "node:util";
import { type Config, ConfigError, loadConfig } from "../../../service/src/process/config.js";

/** Bad command-line use: unknown option, missing value, malformed number. Exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The S3 flags both CLIs accept; each falls back to the INFERGATE_S3_* / AWS_REGION variable. */
export const S3_OPTIONS = {
  endpoint: { type: "string" },
  "force-path-style": { type: "boolean" },
  region: { type: "string" },
} as const satisfies Options;

export const S3_HELP = `S3 (for s3:// URIs; credentials come only from the AWS default chain):
  --endpoint <url>        S3-compatible endpoint          (env INFERGATE_S3_ENDPOINT)
  --force-path-style      path-style bucket addressing    (env INFERGATE_S3_FORCE_PATH_STYLE=true)
  --region <region>       bucket region, default us-east-1 (env AWS_REGION)`;

/** util.parseArgs in strict mode, with its errors turned into UsageErrors: every command's parser. */
export function parseOptions<O extends Options>(argv: readonly string[], options: O) {
  return parseCommandLine(argv, options, 0).values;
}

/** The options and at most `maxPositionals` positional arguments (more is a UsageError). */
export function parseCommandLine<O extends Options>(
  argv: readonly string[],
  options: O,
  maxPositionals: number,
) {
  let parsed: ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).join(" ");
    throw new UsageError(
      maxPositionals === 0 ? `unexpected argument: ${extra}` : `unexpected extra argument: ${extra}`,
    );
  }
  return parsed;
}

export function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

/** A finite number within [min, max], or the default when the flag is absent. */
export function numberOption(
  value: string | undefined,
  name: string,
  fallback: number,
  range: { min: number; max: number; integer?: boolean },
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < range.min || n > range.max) {
    throw new UsageError(`--${name} must be a number in [${range.min}, ${range.max}], got "${value}"`);
  }
  if (range.integer && !Number.isInteger(n))
    throw new UsageError(`--${name} must be an integer, got "${value}"`);
  return n;
}

// The only variables a CLI reads through the service's config schema; unrelated server settings
// (PORT, INFERGATE_MODELS...) must not make a CLI fail or change its behaviour.
const CLI_ENV = [
  "AWS_REGION",
  "INFERGATE_S3_ENDPOINT",
  "INFERGATE_S3_FORCE_PATH_STYLE",
  "INFERGATE_S3_MAX_ATTEMPTS",
  "INFERGATE_MODEL_CACHE_DIR",
  "INFERGATE_INTRA_OP_THREADS",
  "INFERGATE_GRAPH_OPTIMIZATION_LEVEL",
  // The gate, publish's warm-up and model init run models on the providers the server would use.
  "INFERGATE_EXECUTION_PROVIDERS",
] as const;

/**
 * The service's own Config (same schema, defaults and validation as the server) built from the
 * CLI-relevant variables, with S3 flags taking precedence over their variables. Using the server's
 * schema means the gate runs models with exactly the runtime settings a server would.
 */
export function cliConfig(
  env: NodeJS.ProcessEnv,
  flags: {
    endpoint?: string | undefined;
    "force-path-style"?: boolean | undefined;
    region?: string | undefined;
  },
): Config {
  const picked: Record<string, string | undefined> = {};
  for (const key of CLI_ENV) picked[key] = env[key];
  if (flags.endpoint !== undefined) picked.INFERGATE_S3_ENDPOINT = flags.endpoint;
  if (flags["force-path-style"]) picked.INFERGATE_S3_FORCE_PATH_STYLE = "true";
  if (flags.region !== undefined) picked.AWS_REGION = flags.region;
  try {
    return loadConfig(picked);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}
