/**
 * What every stage gets: the checkout, the running parts, the candidate and where reports go; and
 * what a platform production runs on must offer the stages (ProductionSite).
 */
import { join, relative } from "node:path";
import type { Candidate } from "../candidate.js";
import { RehearsalError } from "../errors.js";
import type { PlatformName } from "../options.js";
import type { StageResult } from "../progress.js";
import type { Prometheus } from "../prometheus-server.js";
import type { CanaryStep, ClusterRecord } from "../report/types.js";
import type { RehearsalParts } from "../site-options.js";
import type { ProductionTraffic } from "../traffic.js";
import { commandLine, type StageCommand } from "../workflow-commands.js";

/**
 * Production on one platform (local: one server and its in-server tracks, local-site.ts; kube:
 * the chart on a local control plane, kube/rehearsal/site.ts): where production's requests go,
 * the Prometheus that scrapes it, and the two stages that act on it.
 */
export type ProductionSite = {
  platform: PlatformName;
  /** The base URL the next production request goes to; undefined when nothing can answer it. */
  route(): string | undefined;
  prometheus: Prometheus;
  /** The version production's stable track serves now (null: cannot tell). */
  stableVersion(): Promise<number | null>;
  canary(ctx: StageContext): Promise<StageResult>;
  promote(ctx: StageContext): Promise<StageResult>;
  /** One line each: what production on this platform cannot make real on this machine. */
  notRealHere: readonly string[];
  /** What report.json records of the platform (kube: the cluster and its controllers), or null. */
  record(): ClusterRecord | null;
  /** The metrics that caught a rolled-back candidate, when the platform knows better than the verdicts. */
  caughtBy(): string[] | undefined;
  /** Processes it started outside the supervisor (which stops its own), by PID, and how they ended. */
  processes(): { name: string; pid: number; exit: string }[];
  /** Stops what it started outside the supervisor. */
  stop(): Promise<void>;
};

export type StageContext = RehearsalParts & {
  site: ProductionSite;
  traffic: ProductionTraffic;
  model: string;
  stableVersion: number;
  candidate: Candidate;
  loadDuration: string;
  /** Filled by the canary stage. */
  canarySteps: CanaryStep[];
};

/** A path inside the report folder, as report.json names it. */
export function reportPath(ctx: StageContext, ...parts: string[]): { abs: string; rel: string } {
  const abs = join(ctx.reportDir, ...parts);
  return { abs, rel: relative(ctx.reportDir, abs) };
}

/**
 * Runs a workflow command (its output in the stage's log) and returns its exit code and log;
 * `decides` are the exit codes that are a decision of the stage (any other is "could not run").
 */
export async function runWorkflowCommand(
  ctx: StageContext,
  name: string,
  command: StageCommand,
  decides: readonly number[],
  env: Record<string, string> = {},
): Promise<{ code: number; log: string; output: () => string }> {
  const c = commandLine(ctx.root, command);
  const r = await ctx.supervisor.run(name, c.command, c.args, {
    cwd: ctx.root,
    env: { ...process.env, ...env },
  });
  if (r.code === null || !decides.includes(r.code)) {
    throw new RehearsalError(
      `${command.via === "npm" ? `npm run ${command.script}` : command.script} ended with ${r.code ?? r.signal}, which decides nothing; see ${r.log}`,
    );
  }
  return { code: r.code, log: r.log, output: r.output };
}
