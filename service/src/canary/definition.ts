import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * The canary analysis definition: `helm/infergate/files/canary-analysis.yaml`, the one source of
 * the queries and thresholds. The CLI judges from it; the chart's AnalysisTemplate renders its
 * fast-fail Prometheus metrics from it and hands it (base64 JSON) to the Job metric that runs
 * the CLI in the cluster.
 */

export class AnalysisDefinitionError extends Error {
  override name = "AnalysisDefinitionError";
}

/** The placeholders of judgement queries: filled per track, per selector and per range. */
export const PLACEHOLDERS = ["track", "selector", "range"] as const;
const PLACEHOLDER_RE = /\{\{([^}]*)\}\}/g;

const duration = z
  .string()
  .regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, "a Prometheus duration such as 30s, 5m, 1h30m");
const query = z
  .string()
  .min(1)
  .superRefine((q, ctx) => {
    for (const m of q.matchAll(PLACEHOLDER_RE)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1] ?? "")) {
        ctx.addIssue({
          code: "custom",
          message: `unknown placeholder ${m[0]} (use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")})`,
        });
      }
    }
  });
const nonNegative = z.number().finite().min(0);
const fraction = z.number().finite().min(0).max(1);

const common = {
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and dashes"),
  description: z.string().optional(),
  query,
  /** Which way is worse: `increase` (higher is worse) or `decrease`. */
  direction: z.enum(["increase", "decrease"]).default("increase"),
  /** Effect size the canary may show before a significant difference counts against it. */
  tolerance: nonNegative,
  /**
   * Effect size beyond which a significant difference fails the canary outright (Kayenta's
   * critical effect size); the chart's fast-fail metrics compare the window's effect with it bare.
   */
  hardLimit: nonNegative.optional(),
  /** Observations (requests, rows, comparisons) each track needs over the window. */
  minSamples: z.number().int().min(0).default(0),
  /** A critical metric that fails makes the verdict rollback, whatever the score. */
  critical: z.boolean().default(false),
  /** Share of the score (0 = reported, not scored). */
  weight: nonNegative.default(1),
  /** How values are printed: ratio as a percentage, seconds as milliseconds. */
  unit: z.enum(["ratio", "seconds", "number"]).default("number"),
};

const fastFail = z.strictObject({
  name: z.string().min(1),
  interval: duration,
  count: z.number().int().min(1).optional(),
  failureLimit: z.number().int().min(0),
});

const samplesMetric = z.strictObject({
  ...common,
  kind: z.literal("samples"),
  /** Per-track count behind the metric (e.g. requests), same placeholders as `query`. */
  count: query,
  /** difference: candidate - stable; ratio: max(candidate, floor) / max(stable, floor). */
  effect: z.enum(["difference", "ratio"]),
  floor: nonNegative.default(0),
  /** Also render this metric as a plain Prometheus metric of the AnalysisTemplate (fast fail). */
  fastFail: fastFail.optional(),
});

const distributionMetric = z.strictObject({
  ...common,
  kind: z.literal("distribution"),
  /** The label whose values are the categories (`sum by (label)` in the query). */
  label: z.string().min(1),
});

const agreementMetric = z.strictObject({
  ...common,
  kind: z.literal("agreement"),
  label: z.string().min(1),
  /** Label value of a disagreement; every other value agrees. */
  disagree: z.string().min(1),
});

const metric = z.discriminatedUnion("kind", [samplesMetric, distributionMetric, agreementMetric]);

const score = z.strictObject({ pass: z.number().min(0).max(100), marginal: z.number().min(0).max(100) });

const metricOverride = z.strictObject({
  tolerance: nonNegative.optional(),
  hardLimit: nonNegative.optional(),
  minSamples: z.number().int().min(0).optional(),
  critical: z.boolean().optional(),
  weight: nonNegative.optional(),
  floor: nonNegative.optional(),
});

const judgementSettings = {
  /** A difference is significant when the test's p-value is below 1 - confidence. */
  confidence: z.number().gt(0).lt(1),
  /** Per-interval samples each track needs for the Mann-Whitney test. */
  minIntervals: z.number().int().min(1),
  score,
};

const modelOverride = z.strictObject({
  confidence: judgementSettings.confidence.optional(),
  minIntervals: judgementSettings.minIntervals.optional(),
  score: score.partial().optional(),
  metrics: z.record(z.string(), metricOverride).optional(),
});

export const definitionSchema = z
  .strictObject({
    args: z.array(
      z.strictObject({
        name: z.string().min(1),
        description: z.string().optional(),
        default: z.string().optional(),
      }),
    ),
    judgement: z.strictObject({
      ...judgementSettings,
      /** The Argo Rollouts Job metric that runs the CLI. */
      job: z.strictObject({
        interval: duration,
        initialDelay: duration.optional(),
        count: z.number().int().min(1).optional(),
        failureLimit: z.number().int().min(0),
      }),
    }),
    metrics: z.array(metric).min(1),
    models: z.record(z.string(), modelOverride).default({}),
  })
  .superRefine((d, ctx) => {
    const names = new Set<string>();
    for (const m of d.metrics) {
      if (names.has(m.name)) ctx.addIssue({ code: "custom", message: `duplicate metric ${m.name}` });
      names.add(m.name);
      if (m.kind === "samples" && m.fastFail) {
        if (m.hardLimit === undefined) {
          ctx.addIssue({ code: "custom", message: `${m.name}: fastFail needs a hardLimit` });
        }
        if (m.direction !== "increase") {
          ctx.addIssue({
            code: "custom",
            message: `${m.name}: fastFail is for metrics where higher is worse`,
          });
        }
        if (!m.query.includes("{{track}}") || !m.count.includes("{{track}}")) {
          ctx.addIssue({ code: "custom", message: `${m.name}: fastFail queries must select {{track}}` });
        }
      }
    }
    for (const a of ["window", "step"]) {
      if (!d.args.some((x) => x.name === a && x.default)) {
        ctx.addIssue({ code: "custom", message: `args: "${a}" needs a default` });
      }
    }
    for (const [model, o] of Object.entries(d.models)) {
      for (const name of Object.keys(o.metrics ?? {})) {
        if (!names.has(name))
          ctx.addIssue({ code: "custom", message: `models.${model}: unknown metric ${name}` });
      }
    }
  });

export type AnalysisDefinition = z.infer<typeof definitionSchema>;
export type MetricDefinition = AnalysisDefinition["metrics"][number];
export type SamplesMetric = Extract<MetricDefinition, { kind: "samples" }>;
export type MetricOverride = z.infer<typeof metricOverride>;
export const OVERRIDABLE = Object.keys(metricOverride.shape) as (keyof MetricOverride)[];

/** The definition for one model: model overrides, then command-line overrides, applied. */
export type ResolvedJudgement = {
  confidence: number;
  minIntervals: number;
  score: { pass: number; marginal: number };
  metrics: MetricDefinition[];
};

export type CliOverrides = {
  confidence?: number | undefined;
  minIntervals?: number | undefined;
  score?: { pass?: number | undefined; marginal?: number | undefined };
  /** metric name (or "*" for all) -> fields */
  metrics?: Record<string, MetricOverride>;
};

function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function resolveJudgement(
  def: AnalysisDefinition,
  model: string,
  cli: CliOverrides = {},
): ResolvedJudgement {
  const m = def.models[model] ?? {};
  const names = new Set(def.metrics.map((x) => x.name));
  for (const name of Object.keys(cli.metrics ?? {})) {
    if (name !== "*" && !names.has(name)) {
      throw new AnalysisDefinitionError(`unknown metric "${name}" (metrics: ${[...names].join(", ")})`);
    }
  }
  const metrics = def.metrics.map((x) => {
    const merged = {
      ...x,
      ...defined(m.metrics?.[x.name]),
      ...defined(cli.metrics?.["*"]),
      ...defined(cli.metrics?.[x.name]),
    };
    if ("floor" in merged && x.kind !== "samples") delete (merged as { floor?: number }).floor;
    return merged as MetricDefinition;
  });
  const score = { ...def.judgement.score, ...defined(m.score), ...defined(cli.score) };
  if (score.marginal > score.pass) {
    throw new AnalysisDefinitionError(`score: marginal (${score.marginal}) above pass (${score.pass})`);
  }
  return {
    confidence: cli.confidence ?? m.confidence ?? def.judgement.confidence,
    minIntervals: cli.minIntervals ?? m.minIntervals ?? def.judgement.minIntervals,
    score,
    metrics,
  };
}

export function argDefault(def: AnalysisDefinition, name: string): string | undefined {
  return def.args.find((a) => a.name === name)?.default;
}

/** Fills a judgement query's placeholders, exactly as the chart's template does (literal replace). */
export function renderQuery(
  template: string,
  values: { track: string; selector: string; range: string },
): string {
  return template
    .trim()
    .replaceAll("{{track}}", values.track)
    .replaceAll("{{selector}}", values.selector)
    .replaceAll("{{range}}", values.range);
}

/** A number as Go's fmt %v prints a float64 (what Helm renders for numbers read with fromYaml). */
export function formatGoFloat(n: number): string {
  if (n === 0 || !Number.isFinite(n)) return String(n);
  const [mantissa = "", expText = "0"] = n.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return String(n);
}

/**
 * The fast-fail PromQL of a samples metric: the window's effect (canary vs stable), 0 while
 * either track has fewer than minSamples (or no traffic at all), so an idle canary passes and the
 * numbers match the CLI's. The chart builds the same string (templates/analysistemplate.yaml);
 * the drift test holds them equal.
 */
export function fastFailQuery(
  m: SamplesMetric,
  args: { selector: string; range: string; canary?: string; stable?: string },
): string {
  const q = (template: string, track: string) =>
    renderQuery(template, { track, selector: args.selector, range: args.range });
  const c = q(m.query, args.canary ?? "canary");
  const s = q(m.query, args.stable ?? "stable");
  const min = formatGoFloat(m.minSamples);
  const guard = `\nand on() (\n${q(m.count, args.canary ?? "canary")}\n) >= ${min}\nand on() (\n${q(m.count, args.stable ?? "stable")}\n) >= ${min}\nor on() vector(0)`;
  if (m.effect === "difference") {
    return `((\n${c}\n) - ((\n${s}\n) >= -Inf or on() vector(0))) >= -Inf${guard}`;
  }
  const floor = formatGoFloat(m.floor);
  return `(clamp_min(\n${c}\n, ${floor}) / clamp_min(\n${s}\n, ${floor})) >= 0${guard}`;
}

/** Argo Rollouts successCondition of a fast-fail metric. */
export function fastFailCondition(m: SamplesMetric): string {
  return `result[0] <= ${formatGoFloat(m.hardLimit ?? 0)}`;
}

/** Prometheus durations ("1h30m", "40s", "500ms") in seconds. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
    w: 604800,
    y: 31536000,
  };
  if (!/^([0-9]+(ms|s|m|h|d|w|y))+$/.test(text))
    throw new RangeError(`"${text}" is not a duration (e.g. 40s, 5m, 1h30m)`);
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g))
    total += Number(m[1]) * (units[m[2] ?? "s"] ?? 1);
  return total;
}

/** Seconds as a PromQL duration ("40s", "5m", "1h"; milliseconds when needed). */
export function formatDuration(seconds: number): string {
  if (Number.isInteger(seconds)) {
    if (seconds % 3600 === 0 && seconds > 0) return `${seconds / 3600}h`;
    if (seconds % 60 === 0 && seconds > 0) return `${seconds / 60}m`;
    return `${seconds}s`;
  }
  return `${Math.round(seconds * 1000)}ms`;
}

export function parseDefinition(data: unknown, source: string): AnalysisDefinition {
  const r = definitionSchema.safeParse(data);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new AnalysisDefinitionError(`${source}: invalid canary analysis definition: ${issues}`);
  }
  return r.data;
}

/** Environment variable holding the definition as base64-encoded JSON (how the chart's Job metric passes it). */
export const DEFINITION_ENV = "INFERGATE_CANARY_ANALYSIS";

/** The repository's copy, found by walking up from this module (works from service/src and from dist). */
export function defaultDefinitionPath(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, "helm/infergate/files/canary-analysis.yaml");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

async function parseYaml(text: string, source: string): Promise<unknown> {
  let yaml: { parse: (s: string) => unknown };
  try {
    yaml = (await import("yaml")) as { parse: (s: string) => unknown };
  } catch {
    throw new AnalysisDefinitionError(
      `${source}: reading YAML needs the "yaml" package (a dev dependency); pass the definition as JSON (a .json file or $${DEFINITION_ENV})`,
    );
  }
  try {
    return yaml.parse(text);
  } catch (err) {
    throw new AnalysisDefinitionError(`${source}: ${(err as Error).message}`);
  }
}

/**
 * Loads the definition: `path` (YAML or .json) when given, else $INFERGATE_CANARY_ANALYSIS
 * (base64 JSON), else the repository's helm/infergate/files/canary-analysis.yaml.
 */
export async function loadDefinition(
  path: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ definition: AnalysisDefinition; source: string }> {
  if (path === undefined && env[DEFINITION_ENV]) {
    const source = `$${DEFINITION_ENV}`;
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(env[DEFINITION_ENV] ?? "", "base64").toString("utf8"));
    } catch (err) {
      throw new AnalysisDefinitionError(`${source}: not base64-encoded JSON (${(err as Error).message})`);
    }
    return { definition: parseDefinition(data, source), source };
  }
  const file = path ?? defaultDefinitionPath();
  if (file === undefined) {
    throw new AnalysisDefinitionError(
      `no canary analysis definition: pass --analysis <file> or set $${DEFINITION_ENV}`,
    );
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new AnalysisDefinitionError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  if (file.endsWith(".json")) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new AnalysisDefinitionError(`${file}: ${(err as Error).message}`);
    }
  } else data = await parseYaml(text, file);
  return { definition: parseDefinition(data, file), source: file };
}
