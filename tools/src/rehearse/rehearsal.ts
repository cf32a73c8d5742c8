/**
 * One rehearsal, start to report: production set up and under traffic, the candidate through the
 * five stages until one stops it, then the traffic stopped and counted, the charts read from
 * Prometheus, everything started stopped (also on failure and Ctrl-C), and the report written.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { type Candidate, prepareCandidate } from "./candidate.js";
import { checkout } from "./checkout.js";
import { RehearsalInterrupted } from "./errors.js";
import type { RehearsalOptions } from "./options.js";
import type { Progress, StageResult } from "./progress.js";
import { newReport } from "./report/new-report.js";
import { readTimeline } from "./report/timeline.js";
import type { RehearsalReport } from "./report/types.js";
import { writeReport } from "./report/write.js";
import { publishedVersions } from "./s3-emulator.js";
import type { Outcome } from "./scenarios.js";
import { PRODUCTION, type Running, setUp } from "./setup.js";
import { accuracyGate } from "./stages/accuracy-gate.js";
import type { ProductionSite, StageContext } from "./stages/context.js";
import { loadGate } from "./stages/load-gate.js";
import { publish } from "./stages/publish.js";
import type { Supervisor } from "./supervisor.js";
import { pause } from "./wait.js";

/** Seconds of traffic after the last stage, so the charts show production after the decision. */
const AFTERMATH_SECONDS = 4;

export async function rehearse(
  opts: RehearsalOptions,
  supervisor: Supervisor,
  progress: Progress,
): Promise<RehearsalReport> {
  const { root } = checkout();
  const scratch = await mkdtemp(join(tmpdir(), "infergate-rehearse-"));
  const report = newReport(opts, progress);
  let running: Running | undefined;
  let site: ProductionSite | undefined;
  let candidate: Candidate | undefined;
  try {
    progress.line(`rehearse --scenario ${opts.scenario.name}: ${opts.scenario.story}`);
    progress.line(
      `setting up production (${PRODUCTION.model} v${PRODUCTION.version}, platform ${opts.platform}); logs in ${supervisor.logDir}`,
    );
    running = await setUp(
      supervisor,
      progress,
      { root, scratch, reportDir: opts.reportDir, platform: opts.platform },
      (started) => {
        site = started;
        report.not_real_here.push(...started.notRealHere);
      },
    );
    const base = { root, scratch, reportDir: opts.reportDir, supervisor, progress, ...running };
    await progress.stage("candidate", async () => {
      candidate = await prepareCandidate(supervisor, {
        root,
        scratch,
        scenario: opts.scenario,
        given: opts.candidate,
        production: PRODUCTION,
      });
      return {
        status: "passed",
        summary: `${candidate.model} v${candidate.version}: ${candidate.description}`,
      };
    });
    const made = candidate as Candidate;
    report.candidate = { version: made.version, description: made.description };
    const ctx: StageContext = {
      ...base,
      model: PRODUCTION.model,
      stableVersion: PRODUCTION.version,
      candidate: made,
      loadDuration: opts.loadDuration,
      canarySteps: report.canary_steps,
    };
    report.outcome = await runStages(ctx);
    await pause(supervisor, AFTERMATH_SECONDS * 1000);
  } catch (err) {
    report.outcome = err instanceof RehearsalInterrupted ? "interrupted" : "error";
    report.error = (err as Error).message;
    if (!(err instanceof RehearsalInterrupted) && !(err instanceof Error && err.name === "RehearsalError"))
      throw err;
  } finally {
    await finish(opts, report, running, site, progress, supervisor);
    await rm(scratch, { recursive: true, force: true });
    report.exit_code = exitCodeOf(report.outcome, supervisor);
    await writeReport(opts.reportDir, report);
  }
  return report;
}

/** The stages in order until one says no. */
async function runStages(ctx: StageContext): Promise<Outcome> {
  const stages: [Parameters<Progress["stage"]>[0], (c: StageContext) => Promise<StageResult>, Outcome][] = [
    ["accuracy gate", accuracyGate, "stopped"],
    ["publish", publish, "stopped"],
    ["load gate", loadGate, "stopped"],
    ["canary", (c) => c.site.canary(c), "rolled_back"],
    ["promote", (c) => c.site.promote(c), "stopped"],
  ];
  for (const [name, run, whenFailed] of stages) {
    const result = await ctx.progress.stage(name, () => run(ctx));
    if (result.status === "failed") {
      ctx.progress.skipRest(
        `not reached: the release ${whenFailed === "rolled_back" ? "was rolled back" : `stopped at the ${name}`}`,
      );
      return whenFailed;
    }
  }
  return "promoted";
}

/** Traffic stopped and counted, the timeline read, the production state noted, everything stopped. */
async function finish(
  opts: RehearsalOptions,
  report: RehearsalReport,
  running: Running | undefined,
  site: ProductionSite | undefined,
  progress: Progress,
  supervisor: Supervisor,
) {
  try {
    if (running) {
      const counts = await running.traffic.stop();
      const trafficEnded = Date.now() / 1000;
      Object.assign(report.production, {
        requests: counts.requests,
        failed: counts.failed,
        by_version: counts.byVersion,
        failures: counts.failures,
      });
      report.production.stable_after = await running.site.stableVersion();
      const started = progress.startedAt / 1000;
      report.timeline = await readTimeline(
        running.site.prometheus.url,
        running.site.prometheus.selector,
        started,
        trafficEnded - 1,
      ).catch(() => null);
      report.repository = {
        uri: running.s3.repository,
        versions: await publishedVersions(running.s3, PRODUCTION.model),
      };
      // git runs under the supervisor, which starts nothing once interrupted: no log then.
      report.gitops = await Promise.all([running.gitops.log(), running.gitops.promotionDiff()]).then(
        ([log, diff]) => ({ repository: relative(opts.reportDir, running?.gitops.dir ?? ""), log, diff }),
        () => null,
      );
    }
  } finally {
    report.cluster = site?.record() ?? null;
    // The site's own first (a control plane's clients before the processes they talk to).
    await site?.stop();
    await supervisor.stopAll();
    report.processes = [...supervisor.processes(), ...(site?.processes() ?? [])];
    report.stages = progress.records;
    report.caught_by =
      report.outcome === "rolled_back"
        ? (site?.caughtBy() ?? [
            ...new Set(report.canary_steps.at(-1)?.failed_metrics.map((m) => m.name) ?? []),
          ])
        : [];
    report.seconds = Math.round(progress.elapsed() * 10) / 10;
  }
}

function exitCodeOf(outcome: RehearsalReport["outcome"], supervisor: Supervisor): number {
  if (outcome === "promoted") return 0;
  if (outcome === "stopped" || outcome === "rolled_back") return 1;
  if (outcome === "interrupted")
    return (supervisor.signal.reason as RehearsalInterrupted).signal === "SIGINT" ? 130 : 143;
  return 2;
}
