import { TASKS, type Task } from "../../../service/src/repository/manifest.js";
import {
  cliConfig,
  numberOption,
  parseOptions,
  requireOption,
  S3_HELP,
  S3_OPTIONS,
  UsageError,
} from "../cli/args.js";
import type { Command } from "../cli/command.js";
import { Progress } from "../cli/progress.js";
import { runClassification } from "./classification-run.js";
import type { GateContext } from "./context.js";
import { EvaluationInputError } from "./errors.js";
import { DEFAULT_THRESHOLDS as D } from "./gate.js";
import { type LoadedVersion, loadForEvaluation } from "./load.js";
import { parseVersionUri, type VersionRef } from "./model-uri.js";
import { DEFAULT_REGRESSION_THRESHOLDS as R } from "./regression-gate.js";
import { runRegression } from "./regression-run.js";
import { resolveTask } from "./task.js";
import { classificationThresholds, refuseOtherTaskFlags, regressionThresholds } from "./thresholds.js";

const HELP = `usage: infergate gate accuracy --candidate <uri> [--baseline <uri>] --data <file> [options]

Evaluates a candidate model version (and a baseline) through the server's own loading and
inference code and decides whether the candidate may ship.

  --candidate <uri>         version folder: models/repository/digits/2, file:///abs/repo/digits/2
                            or s3://bucket/prefix/digits/2
  --baseline <uri>          same forms; without it only the absolute thresholds apply
  --data <file>             JSONL, one row a line, or .csv with a header whose last column is the answer:
                            classification {"features":[...],"label":k}, k an index into the manifest's "labels";
                            regression {"features":[...],"target":y}
  --task <task>             classification or regression; default: the candidate manifest's "task",
                            else classification when it has "labels"

classification thresholds (compared after rounding to 6 decimals, as reported):
  --min-accuracy <x>        minimum candidate accuracy                    default ${D.minAccuracy}
  --max-drop <x>            maximum accuracy drop vs baseline (absolute)  default ${D.maxDrop}
  --max-f1-drop <x>         maximum macro-F1 drop vs baseline (absolute)  default ${D.maxF1Drop}
  --min-class-recall <x>    minimum recall of every class present in data default ${D.minClassRecall}

regression thresholds (the same rounding):
  --min-r2 <x>              minimum candidate R²                          default ${R.minR2}
  --max-mae <x>             maximum candidate MAE (target units)          default: not checked
  --max-rmse <x>            maximum candidate RMSE (target units)         default: not checked
  --max-mae-increase <x>    maximum MAE increase vs baseline (relative)   default ${R.maxMaeIncrease}
  --max-rmse-increase <x>   maximum RMSE increase vs baseline (relative)  default ${R.maxRmseIncrease}
  --max-r2-drop <x>         maximum R² drop vs baseline (absolute)        default ${R.maxR2Drop}

output (a summary always goes to stdout, progress to stderr):
  --json-out <file>         JSON report
  --markdown-out <file>     Markdown report; also appended to $GITHUB_STEP_SUMMARY when that is set
  --predictions-out <file>  JSONL per row: the answer and the candidate's prediction (and probabilities)
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
  task: { type: "string" },
  "min-accuracy": { type: "string" },
  "max-drop": { type: "string" },
  "max-f1-drop": { type: "string" },
  "min-class-recall": { type: "string" },
  "min-r2": { type: "string" },
  "max-mae": { type: "string" },
  "max-rmse": { type: "string" },
  "max-mae-increase": { type: "string" },
  "max-rmse-increase": { type: "string" },
  "max-r2-drop": { type: "string" },
  "json-out": { type: "string" },
  "markdown-out": { type: "string" },
  "predictions-out": { type: "string" },
  "batch-size": { type: "string" },
  quiet: { type: "boolean" },
  ...S3_OPTIONS,
} as const;

function taskFlag(value: string | undefined): Task | undefined {
  if (value !== undefined && !(TASKS as readonly string[]).includes(value))
    throw new UsageError(`--task must be one of ${TASKS.join(", ")}, got "${value}"`);
  return value as Task | undefined;
}

async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const o = parseOptions(argv, OPTIONS);
  // Every flag is checked before anything loads, whichever task it belongs to.
  const thresholds = { classification: classificationThresholds(o), regression: regressionThresholds(o) };
  const batchSize = numberOption(o["batch-size"], "batch-size", 256, { min: 1, max: 65536, integer: true });
  const flagTask = taskFlag(o.task);
  const candidateRef = parseVersionUri(requireOption(o.candidate, "candidate"));
  const baselineRef = o.baseline === undefined ? undefined : parseVersionUri(o.baseline);
  const dataPath = requireOption(o.data, "data");
  const config = cliConfig(env, o);
  const progress = new Progress();
  const say = (line: string) => o.quiet || progress.note(line);
  const loaded: LoadedVersion[] = [];
  const load = async (ref: VersionRef) => {
    say(`loading ${ref.uri}`);
    const version = await loadForEvaluation(ref, config);
    loaded.push(version);
    return version;
  };
  try {
    const candidate = await load(candidateRef);
    const task = resolveTask(flagTask, candidate.served);
    refuseOtherTaskFlags(task, o, flagTask ? "--task" : `the task of ${candidateRef.uri}`);
    const ctx: GateContext = {
      candidate,
      baselineRef,
      dataPath,
      batchSize,
      load,
      say,
      progressOf: (label) => (done, total) => o.quiet || progress.update(label, done, total, "rows"),
      targets: {
        jsonOut: o["json-out"],
        markdownOut: o["markdown-out"],
        predictionsOut: o["predictions-out"],
        stepSummary: env.GITHUB_STEP_SUMMARY || undefined,
      },
    };
    return task === "regression"
      ? await runRegression(ctx, thresholds.regression)
      : await runClassification(ctx, thresholds.classification);
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
