/**
 * `infergate rehearse` (npm run rehearse): the promotion rehearsal. The parts: options.ts (command
 * line), scenarios.ts (the candidates), setup.ts (production: S3, the service, Prometheus, the
 * traffic), stages/ (the five stages), workflow-commands.ts (the workflows' commands they run),
 * gitops.ts, report/ (report.json, report.md, the SVG charts), supervisor.ts (every process, by PID).
 */

import { UsageError } from "../cli/args.js";
import type { Command } from "../cli/command.js";
import { checkCandidateFolder } from "./candidate.js";
import { RehearsalError } from "./errors.js";
import { parseRehearsalArgs, type RehearsalOptions, USAGE } from "./options.js";
import { liveCount, Progress } from "./progress.js";
import { rehearse } from "./rehearsal.js";
import { renderFrom } from "./report/write.js";
import { prepareReportDir } from "./report-dir.js";
import { PRODUCTION } from "./setup.js";
import { Supervisor } from "./supervisor.js";

async function run(argv: readonly string[]): Promise<number> {
  const opts = parseRehearsalArgs(argv);
  if ("from" in opts) {
    const files = await renderFrom(opts.from, opts.reportDir).catch((err: Error) => {
      throw new UsageError(`--from ${opts.from}: ${err.message}`);
    });
    process.stdout.write(`rendered ${files.join(", ")} into ${opts.reportDir}\n`);
    return 0;
  }
  // A wrong --candidate is a usage error before anything starts.
  if (opts.candidate !== undefined) checkCandidateFolder(opts.candidate, PRODUCTION, "given");
  const { logs } = await prepareReportDir(opts.reportDir);
  return withSignals(new Supervisor(logs), (supervisor) => runRehearsal(opts, supervisor));
}

async function runRehearsal(opts: RehearsalOptions, supervisor: Supervisor): Promise<number> {
  const progress = new Progress();
  const report = await rehearse(opts, supervisor, progress);
  const stopped = report.stages.find((s) => s.status === "failed" || s.status === "error");
  process.stdout.write(
    `rehearse --scenario ${report.scenario}: ${report.outcome.replace("_", " ")}` +
      `${stopped ? ` at the ${stopped.name}` : ""} in ${report.seconds} s (expected ${report.expected.replace("_", " ")}); ` +
      `${liveCount({ requests: report.production.requests, failed: report.production.failed, byVersion: report.production.by_version })}\n` +
      `${report.caught_by.length > 0 ? `caught by: ${report.caught_by.join(", ")}\n` : ""}` +
      `${report.error ? `could not run: ${report.error}\n` : ""}` +
      `report: ${opts.reportDir}/report.md (report.json, release.svg)\n`,
  );
  return report.exit_code;
}

/**
 * SIGINT/SIGTERM interrupt the rehearsal, which stops everything it started and reports; a second
 * signal kills what is left at once. Whatever happens, no child outlives this process.
 */
async function withSignals(
  supervisor: Supervisor,
  work: (s: Supervisor) => Promise<number>,
): Promise<number> {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      process.stderr.write(`rehearse: ${signal}, stopping everything it started (again to kill at once)\n`);
      supervisor.interrupt(signal);
      return;
    }
    supervisor.killAllNow();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  const onExit = () => supervisor.killAllNow();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", onExit);
  try {
    return await work(supervisor);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("exit", onExit);
  }
}

export const command: Command = {
  name: "rehearse",
  summary: "the promotion rehearsal: a candidate from gates to canary to promotion on this machine",
  help: USAGE,
  run,
  exitCodeOf: (err) => (err instanceof RehearsalError ? 2 : undefined),
};
