import { UsageError } from "../cli/args.js";
import { classify } from "./classify.js";
import { collect, selectorFor } from "./collect.js";
import { parseDuration } from "./definition/durations.js";
import { argDefault, type CliOverrides, resolveJudgement } from "./definition/judgement.js";
import { type AnalysisDefinition, AnalysisDefinitionError } from "./definition/schema.js";
import type { PrometheusClient } from "./prometheus.js";
import { buildReport, type CanaryReport } from "./report.js";
import { decide, exitCode } from "./verdict.js";

/**
 * One canary judgement from Prometheus to report: what `infergate canary evaluate` prints and
 * writes, and what `infergate canary serve` answers on /verdict. Both front-ends only parse their
 * inputs (flags, query parameters) and call this, so the two cannot reach different verdicts.
 */

export type ExitMode = "default" | "argo";

export type JudgeInputs = {
  client: PrometheusClient;
  definition: AnalysisDefinition;
  /** Where the definition came from (a path or $INFERGATE_CANARY_ANALYSIS), for the report. */
  source: string;
  model: string;
  windowSeconds: number;
  stepSeconds: number;
  /** End of the judged window, unix seconds. */
  end: number;
  selector?: string | undefined;
  tracks: { stable: string; candidate: string };
  overrides?: CliOverrides;
  exitMode?: ExitMode;
};

function durationInput(value: string, name: string): number {
  try {
    const s = parseDuration(value);
    if (s <= 0) throw new RangeError("must be positive");
    return s;
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
}

/** The window and step in seconds: the given durations, else the definition's defaults. */
export function windowAndStep(
  definition: AnalysisDefinition,
  window: string | undefined,
  step: string | undefined,
): { windowSeconds: number; stepSeconds: number } {
  const windowSeconds = durationInput(window ?? argDefault(definition, "window") ?? "5m", "window");
  const stepSeconds = durationInput(step ?? argDefault(definition, "step") ?? "1m", "step");
  if (stepSeconds > windowSeconds)
    throw new UsageError(`--step (${stepSeconds}s) is longer than --window (${windowSeconds}s)`);
  return { windowSeconds, stepSeconds };
}

/** Unix seconds or RFC 3339; `now` when absent. */
export function endInput(value: string | undefined, now: number): number {
  if (value === undefined) return now;
  const n = Number(value);
  if (value.trim() !== "" && Number.isFinite(n) && n > 0) return n;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--end must be unix seconds or an RFC 3339 time, got "${value}"`);
  return t / 1000;
}

export function tracksInput(stable: string | undefined, candidate: string | undefined) {
  const tracks = { stable: stable ?? "stable", candidate: candidate ?? "canary" };
  if (tracks.stable === tracks.candidate)
    throw new UsageError("--stable-track and --candidate-track are the same");
  return tracks;
}

/** Collects, classifies and decides; throws PrometheusQueryError when no verdict can be reached. */
export async function judge(inputs: JudgeInputs): Promise<CanaryReport> {
  let judgement: ReturnType<typeof resolveJudgement>;
  try {
    judgement = resolveJudgement(inputs.definition, inputs.model, inputs.overrides);
  } catch (err) {
    if (err instanceof AnalysisDefinitionError) throw new UsageError(err.message);
    throw err;
  }
  const { observations } = await collect(inputs.client, judgement.metrics, {
    model: inputs.model,
    selector: inputs.selector,
    stableTrack: inputs.tracks.stable,
    candidateTrack: inputs.tracks.candidate,
    end: inputs.end,
    windowSeconds: inputs.windowSeconds,
    stepSeconds: inputs.stepSeconds,
  });
  const metrics = judgement.metrics.map((m, i) =>
    classify(m, observations[i] as (typeof observations)[number], judgement),
  );
  const decision = decide(metrics, judgement);
  return buildReport({
    decision,
    exitCode: exitCode(decision.verdict, inputs.exitMode ?? "default"),
    model: inputs.model,
    tracks: inputs.tracks,
    end: inputs.end,
    windowSeconds: inputs.windowSeconds,
    stepSeconds: inputs.stepSeconds,
    prometheus: inputs.client.baseUrl,
    selector: selectorFor(inputs.model, inputs.selector),
    definition: inputs.source,
    judgement,
    metrics,
  });
}
