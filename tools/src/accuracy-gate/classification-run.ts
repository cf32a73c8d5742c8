import type { GateContext } from "./context.js";
import { type Dataset, readDataset } from "./dataset.js";
import { EvaluationInputError } from "./errors.js";
import { checkFit, evaluate } from "./evaluator.js";
import { decide, type Thresholds } from "./gate.js";
import { writeReports } from "./outputs.js";
import { renderMarkdown, renderText } from "./render.js";
import { buildReport, type Evaluated } from "./report.js";
import { checkBaselineTask } from "./task.js";

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

/** The classification gate: accuracy, macro-F1 and per-class recall against the thresholds. */
export async function runClassification(ctx: GateContext, thresholds: Thresholds): Promise<number> {
  ctx.say(`reading ${ctx.dataPath}`);
  const dataset = await readDataset(ctx.dataPath);
  const cand = ctx.candidate;
  checkFit(cand.served, dataset, ctx.batchSize);
  const base = ctx.baselineRef ? await ctx.load(ctx.baselineRef) : undefined;
  if (base) {
    checkBaselineTask("classification", base.served);
    checkFit(base.served, dataset, ctx.batchSize);
  }
  const candLabels = cand.served.classifier?.labels ?? [];
  const baseLabels = base?.served.classifier?.labels;
  if (baseLabels && baseLabels.join("\0") !== candLabels.join("\0")) {
    throw new EvaluationInputError(
      `label set mismatch: candidate labels [${candLabels.join(", ")}] differ from baseline labels [${baseLabels.join(", ")}]`,
    );
  }
  const results: Evaluated[] = [];
  for (const [i, v] of [cand, ...(base ? [base] : [])].entries()) {
    const role = i === 0 ? "candidate" : "baseline";
    const evaluation = await evaluate(v.served, dataset, {
      batchSize: ctx.batchSize,
      keepProbabilities: i === 0 && ctx.targets.predictionsOut !== undefined,
      onProgress: ctx.progressOf(`evaluating ${role} ${v.ref.uri}`),
    });
    results.push({ ref: v.ref, sha256: v.served.manifest.sha256, evaluation });
  }
  const [candidate, baseline] = results as [Evaluated, Evaluated | undefined];
  const decision = decide(candidate.evaluation.metrics, baseline?.evaluation.metrics, candLabels, thresholds);
  const report = buildReport(dataset, thresholds, decision, candidate, baseline);
  return writeReports(ctx.targets, report, {
    text: renderText(report),
    markdown: renderMarkdown(report),
    predictions: () => predictionsJsonl(dataset, candidate),
  });
}
