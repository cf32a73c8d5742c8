import { z } from "zod";
import { PROMETHEUS_DURATION } from "./durations.js";

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

const duration = z.string().regex(PROMETHEUS_DURATION, "a Prometheus duration such as 30s, 5m, 1h30m");
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

export function parseDefinition(data: unknown, source: string): AnalysisDefinition {
  const r = definitionSchema.safeParse(data);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new AnalysisDefinitionError(`${source}: invalid canary analysis definition: ${issues}`);
  }
  return r.data;
}
