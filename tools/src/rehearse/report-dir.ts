/**
 * The report folder a rehearsal owns: created, or emptied when it holds an earlier rehearsal's
 * report, never when it holds anything else (a mistyped --report-dir must not delete a folder).
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../cli/args.js";

export async function prepareReportDir(dir: string): Promise<{ logs: string }> {
  if (existsSync(dir)) {
    const entries = await readdir(dir);
    if (entries.length > 0 && !entries.includes("report.json") && !entries.includes("logs"))
      throw new UsageError(
        `--report-dir ${dir} holds files that are not a rehearsal report; give an empty or new folder`,
      );
    await rm(dir, { recursive: true, force: true });
  }
  const logs = join(dir, "logs");
  await mkdir(logs, { recursive: true });
  return { logs };
}
