/**
 * Stage 2, publish, as model.yml's publish job: npm run publish:model puts the candidate folder
 * into production's S3 repository (checked first, immutable, every write conditional, the
 * manifest last). Publishing changes nothing production serves: its version policy names the
 * stable version, and the candidate answers only once the canary routes traffic to it.
 */
import type { StageResult } from "../progress.js";
import { publishCommand } from "../workflow-commands.js";
import { runWorkflowCommand, type StageContext } from "./context.js";

export async function publish(ctx: StageContext): Promise<StageResult> {
  const r = await runWorkflowCommand(
    ctx,
    "publish",
    publishCommand(ctx.candidate.dir, ctx.s3.repository),
    [0, 1],
    ctx.s3.env,
  );
  const lines = r.output().trim().split("\n");
  if (r.code !== 0)
    return {
      status: "failed",
      summary: `refused: ${lines.findLast((l) => l.includes("error")) ?? lines.at(-1)}`,
    };
  const stable = await ctx.site.stableVersion();
  return {
    status: "passed",
    summary: `${lines.findLast((l) => l.startsWith("published ")) ?? lines.at(-1)}; production still answers with v${stable ?? "?"}`,
  };
}
