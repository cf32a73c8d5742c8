/**
 * report.md's section for `--platform kube`: what was real and what simulated, the nodes and pods,
 * which controller did what (the Events the API server holds, and the rehearsal's own acts), the
 * Rollout's status at each change and the AnalysisRuns, all from report.json's `cluster`.
 */
import { clock } from "../progress.js";
import type { ClusterRecord } from "./types.js";

const esc = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");

/** A measurement's value: the verdict (and score) when it is the verdict's report, else the value. */
function measured(value: string): string {
  try {
    const report = JSON.parse(value) as { verdict?: string; score?: number };
    if (report.verdict)
      return `${report.verdict}${report.score === undefined ? "" : ` (score ${report.score})`}`;
  } catch {
    // a Prometheus metric's number, or a message
  }
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}

export function renderCluster(c: ClusterRecord): string[] {
  const out = [
    "",
    "## On the local control plane (`--platform kube`)",
    "",
    "Real:",
    "",
    ...c.real.map((l) => `- ${l}`),
    "",
    "Simulated:",
    "",
    ...c.simulated.map((l) => `- ${l}`),
    "",
    `Nodes (kwok): ${c.nodes.map((n) => `${n.name} (${n.group}, ${n.zone})`).join(", ")}.`,
    "",
    "| pod | node | track | played by | serves |",
    "| --- | --- | --- | --- | --- |",
    ...c.pods.map(
      (p) =>
        `| ${p.name} | ${p.node} | ${p.track} | ${esc(p.process)} | ${p.versions.map((v) => `v${v}`).join(", ")} |`,
    ),
    "",
    "### Which controller did what",
    "",
    "The Events the API server holds, and the rehearsal's own acts. A controller's recorder (client-go's) drops an object's Events beyond 25 in a burst (then one per 5 min), so the Rollout's later steps may have none: its status below, polled twice a second, is the complete record of them.",
    "",
    "| at | who | object | what |",
    "| --- | --- | --- | --- |",
    ...c.actions.map(
      (a) => `| ${clock(a.at)} | ${esc(a.controller)} | ${a.object} | ${a.reason}: ${esc(a.message)} |`,
    ),
    "",
    "### The Rollout, as the API server returned it",
    "",
    "| at | phase | step | canary weight | stable | current | abort | message |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...c.rollout.map(
      (r) =>
        `| ${clock(r.at)} | ${r.phase} | ${r.step} | ${r.canary_weight ?? "-"} | ${r.stable} | ${r.current} | ${r.abort} | ${esc(r.message)} |`,
    ),
  ];
  for (const run of c.analysis_runs) {
    out.push(
      "",
      `### AnalysisRun ${run.name}: ${run.phase}`,
      "",
      ...(run.message ? [esc(run.message), ""] : []),
      "| metric | phase | count | successful | failed | inconclusive | error | measured |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ...run.metrics.map(
        (m) =>
          `| ${m.name} | ${m.phase} | ${m.count} | ${m.successful} | ${m.failed} | ${m.inconclusive} | ${m.error} | ${m.measurements.map((x) => `${clock(x.at)} ${esc(measured(x.value))}`).join("; ")} |`,
      ),
    );
  }
  return out;
}
