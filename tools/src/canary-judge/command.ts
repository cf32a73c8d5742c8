import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { numberOption, parseOptions, requireOption, UsageError } from "../cli/args.js";
import type { Command } from "../cli/command.js";
import type { CliOverrides } from "./definition/judgement.js";
import { DEFINITION_ENV, loadDefinition } from "./definition/load.js";
import { AnalysisDefinitionError, type MetricOverride, OVERRIDABLE } from "./definition/schema.js";
import { endInput, judge, tracksInput, windowAndStep } from "./judge.js";
import { PrometheusClient, PrometheusQueryError } from "./prometheus.js";
import { renderMarkdown, renderText } from "./report.js";

const HELP = `usage: infergate canary evaluate --prometheus <url> --model <name> [options]

Judges a canary against the stable track from Prometheus: per metric, the tracks' per-interval
samples are compared with a Mann-Whitney U test (class distributions with a chi-square test and
the PSI, shadow disagreement with a binomial test) and an effect-size tolerance, each metric is
classified pass / high / low / no data, hard limits and critical metrics can fail the run
outright, and the rest is scored 0-100 against pass and marginal cut-offs. Queries and
thresholds come from the canary analysis definition the Helm chart's AnalysisTemplate uses.

  --prometheus <url>         Prometheus base URL (HTTP API)
  --model <name>             model to judge (every query selects model="<name>")
  --window <duration>        judged range ending at --end, default from the definition (args.window)
  --step <duration>          interval of the per-interval samples, default from the definition (args.step);
                             at least twice the scrape interval
  --end <time>               end of the window: unix seconds or RFC 3339, default now
  --selector <matchers>      extra label matchers for every query, e.g. 'namespace="infergate", job="infergate"'
  --stable-track <name>      default stable
  --candidate-track <name>   default canary (shadow for an in-server shadow version)
  --analysis <file>          definition (YAML, or JSON if it ends in .json); default: $${DEFINITION_ENV}
                             (base64 JSON, as the chart's Job metric sets it), else the repository's
                             helm/infergate/files/canary-analysis.yaml

thresholds (over the definition's defaults and its per-model overrides):
  --confidence <x>           a difference is significant when p < 1 - x
  --min-intervals <n>        per-interval samples each track needs for the Mann-Whitney test
  --min-samples <n>          observations (requests, predictions) each track needs, every metric
  --pass-score <x>           promote at or above this score
  --marginal-score <x>       hold at or above this score, rollback below
  --set <metric>.<field>=<v> per-metric override, repeatable; fields: ${OVERRIDABLE.join(", ")}
                             e.g. --set error-rate.hardLimit=0.02 --set p95-latency.floor=0.002

output (a table always goes to stdout):
  --json-out <file>          JSON report
  --markdown-out <file>      Markdown report; also appended to $GITHUB_STEP_SUMMARY when that is set
  --exit-mode <mode>         default: 0 promote, 1 rollback, 3 hold
                             argo: 0 promote or hold, 1 rollback (an Argo Rollouts Job metric counts any
                             non-zero exit as a failed measurement; a hold is not a failure)
  --timeout <seconds>        per Prometheus request, default 30

exit codes: 0 promote, 1 rollback, 3 hold, 2 usage, definition or query error (no verdict)
`;

const OPTIONS = {
  prometheus: { type: "string" },
  model: { type: "string" },
  window: { type: "string" },
  step: { type: "string" },
  end: { type: "string" },
  selector: { type: "string" },
  "stable-track": { type: "string" },
  "candidate-track": { type: "string" },
  analysis: { type: "string" },
  confidence: { type: "string" },
  "min-intervals": { type: "string" },
  "min-samples": { type: "string" },
  "pass-score": { type: "string" },
  "marginal-score": { type: "string" },
  set: { type: "string", multiple: true },
  "json-out": { type: "string" },
  "markdown-out": { type: "string" },
  "exit-mode": { type: "string" },
  timeout: { type: "string" },
} as const;

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, text);
}

/** --set name.field=value pairs. */
function setOptions(values: readonly string[] | undefined): Record<string, MetricOverride> {
  const out: Record<string, MetricOverride> = {};
  for (const v of values ?? []) {
    const m = /^([a-z0-9*][a-z0-9-]*)\.([A-Za-z]+)=(.+)$/.exec(v);
    if (!m) throw new UsageError(`--set expects <metric>.<field>=<value>, got "${v}"`);
    const [, name = "", field = "", raw = ""] = m;
    if (!(OVERRIDABLE as readonly string[]).includes(field)) {
      throw new UsageError(`--set ${name}.${field}: not an overridable field (${OVERRIDABLE.join(", ")})`);
    }
    out[name] ??= {};
    const o = out[name] as Record<string, number | boolean>;
    if (field === "critical") {
      if (raw !== "true" && raw !== "false")
        throw new UsageError(`--set ${name}.critical must be true or false`);
      o[field] = raw === "true";
    } else {
      o[field] = numberOption(raw, `set ${name}.${field}`, 0, {
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        integer: field === "minSamples",
      });
    }
  }
  return out;
}

async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const o = parseOptions(argv, OPTIONS);
  const prometheusUrl = requireOption(o.prometheus, "prometheus");
  const model = requireOption(o.model, "model");
  const exitMode = o["exit-mode"] ?? "default";
  if (exitMode !== "default" && exitMode !== "argo") {
    throw new UsageError(`--exit-mode must be default or argo, got "${exitMode}"`);
  }
  const timeoutSeconds = numberOption(o.timeout, "timeout", 30, { min: 1, max: 600 });
  const { definition, source } = await loadDefinition(o.analysis, env);
  const { windowSeconds, stepSeconds } = windowAndStep(definition, o.window, o.step);
  const end = endInput(o.end, Date.now() / 1000);
  const metricsOverride = setOptions(o.set);
  if (o["min-samples"] !== undefined) {
    const n = numberOption(o["min-samples"], "min-samples", 0, { min: 0, max: 1e12, integer: true });
    metricsOverride["*"] = { ...metricsOverride["*"], minSamples: n };
  }
  const overrides: CliOverrides = {
    confidence:
      o.confidence === undefined
        ? undefined
        : numberOption(o.confidence, "confidence", 0.95, { min: 0.5, max: 0.9999 }),
    minIntervals:
      o["min-intervals"] === undefined
        ? undefined
        : numberOption(o["min-intervals"], "min-intervals", 1, { min: 1, max: 10000, integer: true }),
    score: {
      pass:
        o["pass-score"] === undefined
          ? undefined
          : numberOption(o["pass-score"], "pass-score", 0, { min: 0, max: 100 }),
      marginal:
        o["marginal-score"] === undefined
          ? undefined
          : numberOption(o["marginal-score"], "marginal-score", 0, { min: 0, max: 100 }),
    },
    metrics: metricsOverride,
  };
  const report = await judge({
    client: new PrometheusClient(prometheusUrl, timeoutSeconds * 1000),
    definition,
    source,
    model,
    windowSeconds,
    stepSeconds,
    end,
    selector: o.selector,
    tracks: tracksInput(o["stable-track"], o["candidate-track"]),
    overrides,
    exitMode,
  });
  process.stdout.write(renderText(report));
  if (o["json-out"]) await write(o["json-out"], `${JSON.stringify(report, null, 2)}\n`);
  const markdown = renderMarkdown(report);
  if (o["markdown-out"]) await write(o["markdown-out"], markdown);
  if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
  return report.exitCode;
}

export const command: Command = {
  name: "canary evaluate",
  summary: "judge a canary against stable from Prometheus; exit 0 promote, 1 rollback, 3 hold",
  help: HELP,
  run,
  exitCodeOf: (err) =>
    err instanceof PrometheusQueryError || err instanceof AnalysisDefinitionError ? 2 : undefined,
};
