import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Config } from "../../../service/src/process/config.js";
import { cliConfig, numberOption, parseOptions, requireOption, S3_HELP, S3_OPTIONS } from "../cli/args.js";
import type { Command } from "../cli/command.js";
import { Progress } from "../cli/progress.js";
import { type Dataset, readDataset } from "./dataset.js";
import { EvaluationInputError } from "./errors.js";
import { checkFit, evaluate } from "./evaluator.js";
import { DEFAULT_THRESHOLDS, decide, type Thresholds } from "./gate.js";
import { type LoadedVersion, loadForEvaluation } from "./load.js";
import { parseVersionUri } from "./model-uri.js";
import { renderMarkdown, renderText } from "./render.js";
import { buildReport, type Evaluated } from "./report.js";

const D = DEFAULT_THRESHOLDS;
const HELP = `usage: infergate gate accuracy --candidate <uri> [--baseline <uri>] --data <file> [options]

Evaluates a candidate model version (and a baseline) through the server's own loading and
inference code and decides whether the candidate may ship.

  --candidate <uri>         version folder: models/repository/digits/2, file:///abs/repo/digits/2
                            or s3://bucket/prefix/digits/2
  --baseline <uri>          same forms; without it only the absolute thresholds apply
  --data <file>             JSONL ({"features":[...],"label":k} per line) or .csv (header, last column "label");
                            k is an index into the manifest's "labels"

thresholds (compared after rounding to 6 decimals, as reported):
  --min-accuracy <x>        minimum candidate accuracy                    default ${D.minAccuracy}
  --max-drop <x>            maximum accuracy drop vs baseline (absolute)  default ${D.maxDrop}
  --max-f1-drop <x>         maximum macro-F1 drop vs baseline (absolute)  default ${D.maxF1Drop}
  --min-class-recall <x>    minimum recall of every class present in data default ${D.minClassRecall}

output (a summary always goes to stdout, progress to stderr):
  --json-out <file>         JSON report
  --markdown-out <file>     Markdown report; also appended to $GITHUB_STEP_SUMMARY when that is set
  --predictions-out <file>  JSONL per row: label, candidate prediction and probabilities
  --batch-size <n>          rows per inference run, default 256
  --quiet                   no progress lines

${S3_HELP}
Runtime settings come from INFERGATE_INTRA_OP_THREADS / INFERGATE_GRAPH_OPTIMIZATION_LEVEL, as in the server.

exit codes: 0 gate passed, 1 gate failed, 2 usage or input error (the gate could not run)
`;

const OPTIONS = {
  candidate: { type: "string" },
  baseline: { type: "string" },
  data: { type: "string" },
  "min-accuracy": { type: "string" },
  "max-drop": { type: "string" },
  "max-f1-drop": { type: "string" },
  "min-class-recall": { type: "string" },
  "json-out": { type: "string" },
  "markdown-out": { type: "string" },
  "predictions-out": { type: "string" },
  "batch-size": { type: "string" },
  quiet: { type: "boolean" },
  ...S3_OPTIONS,
} as const;

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, text);
}

function predictionsJsonl(dataset: Dataset, candidate: Evaluated): string {
  const { predicted, probabilities, labels } = candidate.evaluation;
  const k = labels.length;
  const lines: string[] = [];
  for (let i = 0; i < dataset.rows; i++) {
    const probs = probabilities ? Array.from(probabilities.subarray(i * k, (i + 1) * k)) : undefined;
    lines.push(
      JSON.stringify({ row: i + 1, label: dataset.labels[i], predicted: predicted[i], probabilities: probs }),
    );
  }
  return `${lines.join("\n")}\n`;
}

async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const o = parseOptions(argv, OPTIONS);
  const unit = { min: 0, max: 1 };
  const thresholds: Thresholds = {
    minAccuracy: numberOption(o["min-accuracy"], "min-accuracy", D.minAccuracy, unit),
    maxDrop: numberOption(o["max-drop"], "max-drop", D.maxDrop, unit),
    maxF1Drop: numberOption(o["max-f1-drop"], "max-f1-drop", D.maxF1Drop, unit),
    minClassRecall: numberOption(o["min-class-recall"], "min-class-recall", D.minClassRecall, unit),
  };
  const batchSize = numberOption(o["batch-size"], "batch-size", 256, { min: 1, max: 65536, integer: true });
  const candidateRef = parseVersionUri(requireOption(o.candidate, "candidate"));
  const baselineRef = o.baseline === undefined ? undefined : parseVersionUri(o.baseline);
  const dataPath = requireOption(o.data, "data");
  const config: Config = cliConfig(env, o);
  const progress = new Progress();
  const say = (line: string) => o.quiet || progress.note(line);

  say(`reading ${dataPath}`);
  const dataset = await readDataset(dataPath);
  const loaded: LoadedVersion[] = [];
  try {
    for (const ref of [candidateRef, ...(baselineRef ? [baselineRef] : [])]) {
      say(`loading ${ref.uri}`);
      const version = await loadForEvaluation(ref, config);
      loaded.push(version);
      checkFit(version.served, dataset, batchSize);
    }
    const [cand, base] = loaded as [LoadedVersion, LoadedVersion | undefined];
    const candLabels = cand.served.classifier?.labels ?? [];
    const baseLabels = base?.served.classifier?.labels;
    if (baseLabels && baseLabels.join("\0") !== candLabels.join("\0")) {
      throw new EvaluationInputError(
        `label set mismatch: candidate labels [${candLabels.join(", ")}] differ from baseline labels [${baseLabels.join(", ")}]`,
      );
    }
    const results: Evaluated[] = [];
    for (const [i, v] of loaded.entries()) {
      const role = i === 0 ? "candidate" : "baseline";
      const evaluation = await evaluate(v.served, dataset, {
        batchSize,
        keepProbabilities: i === 0 && o["predictions-out"] !== undefined,
        onProgress: (done, total) =>
          o.quiet || progress.update(`evaluating ${role} ${v.ref.uri}`, done, total, "rows"),
      });
      results.push({ ref: v.ref, sha256: v.served.manifest.sha256, evaluation });
    }
    const [candidate, baseline] = results as [Evaluated, Evaluated | undefined];
    const decision = decide(
      candidate.evaluation.metrics,
      baseline?.evaluation.metrics,
      candLabels,
      thresholds,
    );
    const report = buildReport(dataset, thresholds, decision, candidate, baseline);
    process.stdout.write(renderText(report));
    if (o["json-out"]) await write(o["json-out"], `${JSON.stringify(report, null, 2)}\n`);
    const markdown = renderMarkdown(report);
    if (o["markdown-out"]) await write(o["markdown-out"], markdown);
    if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
    if (o["predictions-out"]) await write(o["predictions-out"], predictionsJsonl(dataset, candidate));
    return report.passed ? 0 : 1;
  } finally {
    await Promise.allSettled(loaded.map((v) => v.close()));
  }
}

export const command: Command = {
  name: "gate accuracy",
  summary: "evaluate a candidate model version against a baseline; exit 0 pass, 1 fail",
  help: HELP,
  run,
  exitCodeOf: (err) => (err instanceof EvaluationInputError ? 2 : undefined),
};
