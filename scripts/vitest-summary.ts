/**
 * The end of `npm test`: reads vitest's JSON report and prints what each part of the repository
 * passed and failed, every test that passed only on its retry (flaky: to be fixed, never silent),
 * and one line "vitest: N passed, M failed". Exits 1 on a failed, skipped or todo test.
 *
 * Usage: tsx scripts/vitest-summary.ts <report.json>
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { REPO_ROOT } from "./lib/repo.js";

type Assertion = { status: string; fullName: string; failureMessages: string[] };
type Report = {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: Assertion[] }[];
};

const report = JSON.parse(readFileSync(process.argv[2] as string, "utf8")) as Report;

const perPart = new Map<string, { passed: number; failed: number }>();
for (const file of report.testResults) {
  const part = relative(REPO_ROOT, file.name).split("/")[0] as string;
  const counts = perPart.get(part) ?? { passed: 0, failed: 0 };
  for (const a of file.assertionResults) {
    if (a.status === "passed") counts.passed++;
    else if (a.status === "failed") counts.failed++;
  }
  // A file that fails before any test runs (an import error, a failing beforeAll) counts as one failure.
  if (file.status === "failed" && file.assertionResults.every((a) => a.status !== "failed")) counts.failed++;
  perPart.set(part, counts);
}
for (const [part, c] of [...perPart].sort(([a], [b]) => a.localeCompare(b)))
  console.log(`  ${part.padEnd(14)} ${c.passed} passed, ${c.failed} failed`);

const flaky = report.testResults.flatMap((f) =>
  f.assertionResults
    .filter((a) => a.status === "passed" && a.failureMessages.length > 0)
    .map((a) => ({ file: relative(REPO_ROOT, f.name), test: a.fullName, first: a.failureMessages[0] ?? "" })),
);
for (const x of flaky) {
  const first = x.first.split("\n").slice(0, 6).join("\n  ");
  console.log(`FLAKY (passed on retry): ${x.file} > ${x.test}\n  first attempt: ${first}`);
}
const failedFiles = [...perPart.values()].reduce((n, c) => n + c.failed, 0) - report.numFailedTests;
const failed = report.numFailedTests + Math.max(0, failedFiles);
const skipped = report.numPendingTests + report.numTodoTests;
console.log(
  `vitest: ${report.numPassedTests} passed, ${failed} failed` +
    (skipped ? `, ${skipped} skipped` : "") +
    (flaky.length ? ` (${flaky.length} flaky, named above)` : ""),
);
process.exit(failed > 0 || skipped > 0 ? 1 : 0);
