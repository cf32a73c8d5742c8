/**
 * checkov (pinned in terraform/requirements-scan.txt, in a venv made by scripts/venv.sh), run
 * offline over a copy of terraform/ with one environment's tfvars. checkov reads no tfvars of
 * its own accord: without them it cannot resolve the platform root's module inputs and silently
 * evaluates fewer resources, which is why the result also says which resources it evaluated.
 */
import { join } from "node:path";
import { run } from "../../../scripts/lib/run.js";
import { venv } from "../../../scripts/lib/tools.js";

type CheckResult = { check_id: string; resource: string; file_path: string };
type Report = {
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  results: { passed_checks?: CheckResult[]; failed_checks?: CheckResult[]; skipped_checks?: CheckResult[] };
};

export type CheckovScan = {
  summary: Report["summary"];
  /** "<check id> <resource> (<file>)" of each failed check. */
  failed: string[];
  /** Addresses of the resources checks passed on or were skipped for (instance keys dropped). */
  evaluatedResources: Set<string>;
};

let checkovBinary: Promise<string> | undefined;

/** The checkov executable, installing its venv on first use. */
export function checkov(): Promise<string> {
  checkovBinary ??= venv("terraform-scan", "terraform/requirements-scan.txt").then((dir) =>
    join(dir, "bin", "checkov"),
  );
  return checkovBinary;
}

/** Scans `dir` (a copy of terraform/) with the given tfvars; suppressions are inline in the code. */
export async function scan(dir: string, varFile: string): Promise<CheckovScan> {
  const args = [
    ...["-d", dir, "--var-file", varFile, "--framework", "terraform", "--output", "json"],
    // Offline: no platform download or upload, no external modules.
    ...["--skip-download", "--download-external-modules", "false", "--skip-path", "\\.terraform"],
  ];
  // checkov exits 1 when a check fails; the report says which, so only a missing report is an error.
  const result = await run(await checkov(), args, {
    env: { ...process.env, BC_SKIP_MAPPING: "TRUE" },
    timeoutMs: 600_000,
  });
  let report: Report;
  try {
    report = JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`checkov printed no JSON report (exit ${result.code}):\n${result.stderr.slice(-4000)}`);
  }
  const evaluated = [...(report.results.passed_checks ?? []), ...(report.results.skipped_checks ?? [])];
  return {
    summary: report.summary,
    failed: (report.results.failed_checks ?? []).map((c) => `${c.check_id} ${c.resource} (${c.file_path})`),
    evaluatedResources: new Set(evaluated.map((c) => c.resource.replace(/\[[^\]]*\]/g, ""))),
  };
}
