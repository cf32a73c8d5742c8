import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RehearsalReport } from "../../src/rehearse/report/types.js";
import { type CliResult, type CliWatch, infergate } from "./cli.js";

export type RehearsalRun = CliResult & { report: RehearsalReport; dir: string; seconds: number };

/**
 * `infergate rehearse <args> --report-dir <dir>` run as a user runs it (its own process), with the
 * report.json it leaves. Interrupted 30 s before `timeoutMs` (the rehearsal then stops everything
 * it started and still reports), killed 5 s before it; no report.json fails the run.
 */
export async function runRehearsal(
  args: readonly string[],
  dir: string,
  timeoutMs: number,
  onStderr?: CliWatch["onStderr"],
): Promise<RehearsalRun> {
  const started = Date.now();
  const r = await infergate(["rehearse", ...args, "--report-dir", dir], {}, timeoutMs - 5_000, {
    onStderr,
    interruptAfterMs: timeoutMs - 30_000,
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  const file = join(dir, "report.json");
  if (!existsSync(file)) throw new Error(`no report.json (exit ${r.code})\n${r.stdout}\n${r.stderr}`);
  return { ...r, dir, seconds, report: JSON.parse(readFileSync(file, "utf8")) as RehearsalReport };
}
