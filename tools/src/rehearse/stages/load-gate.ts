/**
 * Stage 3, the load gate, as _load-gate.yml runs it for model.yml: npm run gate:load starts its
 * own instance serving the candidate and drives it with k6's `load` stage, whose rate and
 * thresholds (p95, p99, error rate, achieved rate) come from loadtest/stages.json. Exit 0 passes,
 * 1 (a threshold crossed) stops the release.
 */
import { readFile } from "node:fs/promises";
import { pinnedTool } from "../checkout.js";
import type { StageResult } from "../progress.js";
import { loadGateCommand } from "../workflow-commands.js";
import { reportPath, runWorkflowCommand, type StageContext } from "./context.js";

type LoadReport = {
  passed: boolean;
  metrics: Record<string, number | null>;
  thresholds: { label: string; expression: string; actual: number | null; ok: boolean }[];
};

export async function loadGate(ctx: StageContext): Promise<StageResult> {
  await pinnedTool(ctx.supervisor, ctx.root, "k6");
  const reports = reportPath(ctx, "load");
  const r = await runWorkflowCommand(
    ctx,
    "load-gate",
    loadGateCommand({ candidate: ctx.candidate.dir, summaryDir: reports.abs, duration: ctx.loadDuration }),
    [0, 1],
  );
  const report = JSON.parse(await readFile(`${reports.abs}/summary.json`, "utf8")) as LoadReport;
  const m = report.metrics;
  const numbers = `${m.requests} requests at ${m.rps}/s for ${ctx.loadDuration}: p95 ${m.p95_ms} ms, p99 ${m.p99_ms} ms, error rate ${m.error_rate}`;
  const crossed = report.thresholds
    .filter((t) => !t.ok)
    .map((t) => `${t.label} ${t.expression} (actual ${t.actual})`);
  return {
    status: r.code === 0 ? "passed" : "failed",
    summary: r.code === 0 ? `${numbers}; every threshold held` : `${numbers}; crossed: ${crossed.join("; ")}`,
    reports: [`${reports.rel}/summary.json`, `${reports.rel}/summary.md`],
  };
}
