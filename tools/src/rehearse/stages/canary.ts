/**
 * Stage 4, the canary, through the server's own canary track (the admin API writes tracks.json
 * and every worker applies it): the candidate answers 10 %, then 50 %, then 100 % of production's
 * unversioned requests, as the chart's Rollout steps its weight. After each step's window the
 * canary verdict judges that window: promote moves on; rollback sets the weight to 0 and takes the
 * candidate out; hold extends the step once (judged again over the whole step), then rolls back
 * unless it promotes.
 *
 * At 100 % no unversioned request reaches stable, so for that step the traffic adds a stream that
 * names the stable version (track `direct`) and the verdict compares the candidate with it.
 */
import { mkdir } from "node:fs/promises";
import type { AdminApi } from "../production.js";
import type { StageResult } from "../progress.js";
import type { CanaryStep } from "../report/types.js";
import { pause } from "../wait.js";
import { describeStep, judgeWindow, type Window } from "./canary-verdict.js";
import { reportPath, type StageContext } from "./context.js";

/**
 * Weights and windows. At 60 requests/s the 10 % window gives the candidate about 250 requests,
 * over the 200 the error-rate and latency metrics need per track; 50 % and 100 % reach it sooner.
 */
export const CANARY_STEPS = [
  { weight: 0.1, windowSeconds: 42 },
  { weight: 0.5, windowSeconds: 18 },
  { weight: 1, windowSeconds: 18 },
] as const;
/** The stable baseline stream during the 100 % step, requests/s. */
export const BASELINE_RATE = 15;
/** After a switch, before the judged window opens: the switch is applied, but let requests in flight end. */
const SETTLE_SECONDS = 1;
/** After the window ends, before judging it: the last scrape must have happened. */
const SCRAPE_LAG_SECONDS = 2.5;

const now = () => Date.now() / 1000;

export async function canary(ctx: StageContext, admin: AdminApi): Promise<StageResult> {
  await mkdir(reportPath(ctx, "canary").abs, { recursive: true });
  const version = ctx.candidate.version;
  for (const step of CANARY_STEPS) {
    await admin.canary(version, step.weight);
    const baselineTrack = step.weight >= 1 ? "direct" : "stable";
    if (baselineTrack === "direct")
      ctx.traffic.pinBaseline({ version: ctx.stableVersion, rate: BASELINE_RATE });
    ctx.progress.line(
      `  canary at ${Math.round(step.weight * 100)} %: judging the next ${step.windowSeconds} s`,
    );
    const from = now() + SETTLE_SECONDS;
    let verdict = await judgeAfter(ctx, {
      weight: step.weight,
      from,
      to: from + step.windowSeconds,
      extended: false,
      baselineTrack,
    });
    if (verdict.verdict === "hold") {
      ctx.progress.line(`  ${describeStep(verdict)}: extending the step once`);
      const to = from + 2 * step.windowSeconds;
      verdict = await judgeAfter(ctx, { weight: step.weight, from, to, extended: true, baselineTrack });
    }
    ctx.progress.line(`  ${describeStep(verdict)}`);
    if (verdict.verdict !== "promote") return rollBack(ctx, admin, verdict);
  }
  ctx.traffic.pinBaseline(undefined);
  return {
    status: "passed",
    summary: ctx.canarySteps.map(describeStep).join("; "),
    reports: ctx.canarySteps.map((s) => s.report),
  };
}

async function judgeAfter(ctx: StageContext, w: Window): Promise<CanaryStep> {
  await pause(ctx.supervisor, Math.max(0, (w.to + SCRAPE_LAG_SECONDS - now()) * 1000));
  const step = await judgeWindow(ctx, w);
  ctx.canarySteps.push(step);
  return step;
}

/** Weight 0 at once (the candidate stops answering), then the candidate out of the server. */
async function rollBack(ctx: StageContext, admin: AdminApi, last: CanaryStep): Promise<StageResult> {
  await admin.canary(ctx.candidate.version, 0);
  const after = await admin.rollback();
  ctx.traffic.pinBaseline(undefined);
  const caught = last.failed_metrics.map((m) => `${m.name}: ${m.reason}`).join("; ");
  const why = caught ? `caught by ${caught}` : `reasons: ${last.reasons.join("; ")}`;
  return {
    status: "failed",
    summary:
      `${ctx.canarySteps.map(describeStep).join("; ")}; rolled back: weight 0, candidate out, ` +
      `production answers with v${after.stable} only; ${why}`,
    reports: ctx.canarySteps.map((s) => s.report),
  };
}
