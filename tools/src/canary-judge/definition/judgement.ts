import {
  type AnalysisDefinition,
  AnalysisDefinitionError,
  type MetricDefinition,
  type MetricOverride,
} from "./schema.js";

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
