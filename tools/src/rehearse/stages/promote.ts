/**
 * Stage 5, promote: the candidate becomes stable in the server (the admin API's promote: the
 * tracks pointer names it stable, mode off), and the GitOps change CI would make is made for real
 * by _promote.yml's script, set-values.ts, and committed to the local GitOps repository.
 */
import { RehearsalError } from "../errors.js";
import type { AdminApi } from "../production.js";
import type { StageResult } from "../progress.js";
import type { StageContext } from "./context.js";

export async function promote(ctx: StageContext, admin: AdminApi): Promise<StageResult> {
  const after = await admin.promote();
  if (after.stable !== ctx.candidate.version)
    throw new RehearsalError(
      `promote: the server's stable is v${after.stable}, not v${ctx.candidate.version}`,
    );
  const commit = await ctx.gitops.promote({ model: ctx.model, version: ctx.candidate.version });
  return {
    status: "passed",
    summary: `v${after.stable} is stable (mode ${after.mode}); GitOps commit "${commit}" (the report's gitops/ repository)`,
  };
}
