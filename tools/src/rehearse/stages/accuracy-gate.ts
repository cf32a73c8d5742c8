/**
 * Stage 1, the accuracy gate, as _accuracy-gate.yml runs it with baseline "production": the
 * version production's values serve (.github/scripts/production-model.ts on the GitOps
 * repository's values file and production's S3 repository), then npm run gate:accuracy with
 * model.yml's data and the default thresholds. Exit 0 passes, 1 stops the release.
 */
import { readFile } from "node:fs/promises";
import { RehearsalError } from "../errors.js";
import type { StageResult } from "../progress.js";
import { accuracyGateCommand, productionModelCommand } from "../workflow-commands.js";
import { reportPath, runWorkflowCommand, type StageContext } from "./context.js";

type Check = { passed: boolean; message: string };
type AccuracyReport = {
  passed: boolean;
  candidate: { metrics: { accuracy: number } };
  baseline?: { metrics: { accuracy: number } };
  deltas?: { accuracy_drop?: number; macro_f1_drop?: number };
  checks: Check[];
};

export async function accuracyGate(ctx: StageContext): Promise<StageResult> {
  const resolved = await runWorkflowCommand(
    ctx,
    "production-model",
    productionModelCommand(ctx.gitops.valuesFile, ctx.s3.repository),
    [0],
    ctx.s3.env,
  );
  const baseline = resolved
    .output()
    .split("\n")
    .map((l) => l.trim())
    .findLast((l) => /^(s3|file):\/\//.test(l));
  if (!baseline) throw new RehearsalError(`production-model.ts printed no version URI; see ${resolved.log}`);

  const reports = reportPath(ctx, "accuracy");
  const gate = await runWorkflowCommand(
    ctx,
    "accuracy-gate",
    accuracyGateCommand({ candidate: ctx.candidate.dir, baseline, reports: reports.abs }),
    [0, 1],
    ctx.s3.env,
  );
  const report = JSON.parse(await readFile(`${reports.abs}/report.json`, "utf8")) as AccuracyReport;
  const failed = report.checks.filter((c) => !c.passed);
  const numbers =
    `accuracy ${report.candidate.metrics.accuracy} vs production ${report.baseline?.metrics.accuracy ?? "?"} ` +
    `(drop ${report.deltas?.accuracy_drop ?? "?"}, macro-F1 drop ${report.deltas?.macro_f1_drop ?? "?"}; baseline ${baseline})`;
  const summary =
    gate.code === 0
      ? `${numbers}; ${report.checks.length}/${report.checks.length} checks held`
      : `${numbers}; failed: ${failed.map((c) => c.message.slice(0, 120)).join("; ")}`;
  return {
    status: gate.code === 0 ? "passed" : "failed",
    summary,
    reports: [`${reports.rel}/report.json`, `${reports.rel}/report.md`],
  };
}
