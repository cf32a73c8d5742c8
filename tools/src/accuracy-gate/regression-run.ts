import { checkInputFit } from "./batches.js";
import type { GateContext } from "./context.js";
import { readRegressionDataset } from "./dataset.js";
import { writeReports } from "./outputs.js";
import { evaluateRegression, predictionOutput } from "./regression-evaluator.js";
import { decideRegression, type RegressionThresholds } from "./regression-gate.js";
import { renderRegressionMarkdown, renderRegressionText } from "./regression-render.js";
import {
  buildRegressionReport,
  type RegressionEvaluated,
  regressionPredictionsJsonl,
} from "./regression-report.js";
import { checkBaselineTask } from "./task.js";

/** The regression gate: MAE, RMSE and R² against the thresholds and the baseline. */
export async function runRegression(ctx: GateContext, thresholds: RegressionThresholds): Promise<number> {
  ctx.say(`reading ${ctx.dataPath}`);
  const dataset = await readRegressionDataset(ctx.dataPath);
  const versions = [ctx.candidate];
  if (ctx.baselineRef) versions.push(await ctx.load(ctx.baselineRef));
  // Everything that could stop the gate is found before the first row runs.
  for (const [i, v] of versions.entries()) {
    if (i > 0) checkBaselineTask("regression", v.served);
    predictionOutput(v.served);
    checkInputFit(v.served, dataset, ctx.batchSize);
  }
  const results: RegressionEvaluated[] = [];
  for (const [i, v] of versions.entries()) {
    const role = i === 0 ? "candidate" : "baseline";
    const evaluation = await evaluateRegression(v.served, dataset, {
      batchSize: ctx.batchSize,
      onProgress: ctx.progressOf(`evaluating ${role} ${v.ref.uri}`),
    });
    results.push({ ref: v.ref, sha256: v.served.manifest.sha256, evaluation });
  }
  const [candidate, baseline] = results as [RegressionEvaluated, RegressionEvaluated | undefined];
  const decision = decideRegression(candidate.evaluation.metrics, baseline?.evaluation.metrics, thresholds);
  const report = buildRegressionReport(dataset, thresholds, decision, candidate, baseline);
  return writeReports(ctx.targets, report, {
    text: renderRegressionText(report),
    markdown: renderRegressionMarkdown(report),
    predictions: () => regressionPredictionsJsonl(dataset, candidate.evaluation.predictions),
  });
}
