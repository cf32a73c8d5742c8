import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/** Where the gate's reports go, from the command line and the environment. */
export type ReportTargets = Readonly<{
  jsonOut: string | undefined;
  markdownOut: string | undefined;
  predictionsOut: string | undefined;
  /** $GITHUB_STEP_SUMMARY: the Markdown report is appended to it when set. */
  stepSummary: string | undefined;
}>;

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, text);
}

/**
 * Prints the summary and writes every report asked for; the same for every task, so a
 * classification and a regression gate leave the same files behind.
 */
export async function writeReports(
  targets: ReportTargets,
  report: Readonly<{ passed: boolean }>,
  views: Readonly<{ text: string; markdown: string; predictions: () => string }>,
): Promise<number> {
  process.stdout.write(views.text);
  if (targets.jsonOut) await write(targets.jsonOut, `${JSON.stringify(report, null, 2)}\n`);
  if (targets.markdownOut) await write(targets.markdownOut, views.markdown);
  if (targets.stepSummary) await appendFile(targets.stepSummary, `${views.markdown}\n`);
  if (targets.predictionsOut) await write(targets.predictionsOut, views.predictions());
  return report.passed ? 0 : 1;
}
