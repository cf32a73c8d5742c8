/** report.md: the report for people (and $GITHUB_STEP_SUMMARY-style reading), from report.json alone. */
import { clock } from "../progress.js";
import { renderCluster } from "./cluster-markdown.js";
import type { RehearsalReport } from "./types.js";

const esc = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
const pct = (w: number) => `${Math.round(w * 100)} %`;

/** The charts report.md shows, written beside it. */
export const CHART_FILE = "release.svg";

export function renderMarkdown(r: RehearsalReport): string {
  const started = Date.parse(r.started_at) / 1000;
  const versions = Object.entries(r.production.by_version)
    .map(([v, count]) => `v${v} ${count}`)
    .join(", ");
  const out = [
    `# Rehearsal: scenario \`${r.scenario}\`, ${r.outcome.replace("_", " ")}`,
    "",
    `Candidate ${r.model} v${r.candidate.version ?? "?"}: ${r.candidate.description}; production serves v${r.production.stable_before}.`,
    `Scenario: ${r.story}.`,
    `Expected **${r.expected.replace("_", " ")}**, got **${r.outcome.replace("_", " ")}** (exit ${r.exit_code}) in ${clock(r.seconds)}.`,
    ...(r.platform === "kube"
      ? [
          "Platform **kube**: production is the chart's prod release on a local Kubernetes control plane, the canary its Rollout stepped by the Argo Rollouts controller.",
        ]
      : []),
    "",
    `**Production: ${r.production.requests} requests, ${r.production.failed} failed**${versions ? ` (answered by ${versions})` : ""}, ` +
      `${r.production.rate} requests/s of ${r.production.rows_per_request} rows the whole time; stable v${r.production.stable_before} before, ` +
      `${r.production.stable_after === null ? "unknown" : `v${r.production.stable_after}`} after.`,
  ];
  const failures = Object.entries(r.production.failures);
  if (failures.length > 0)
    out.push(
      "",
      "Failed production requests:",
      "",
      ...failures.map(([kind, f]) => `- ${kind}: ${f.count} (first: ${esc(f.first)})`),
    );
  if (r.error) out.push("", `**Could not run:** ${esc(r.error)}`);
  out.push("", "| stage | status | at | seconds | summary |", "| --- | --- | --- | --- | --- |");
  for (const s of r.stages) {
    const at = s.started_at === null ? "-" : clock(Date.parse(s.started_at) / 1000 - started);
    out.push(`| ${s.name} | ${s.status} | ${at} | ${s.seconds} | ${esc(s.summary)} |`);
  }
  if (r.canary_steps.length > 0) {
    out.push(
      "",
      "## Canary verdicts",
      "",
      "| weight | judged | baseline track | verdict | score | failed metrics |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    for (const s of r.canary_steps) {
      const failed = s.failed_metrics.map((m) => `\`${m.name}\``).join(", ") || "-";
      out.push(
        `| ${pct(s.weight)}${s.extended ? " (extended)" : ""} | ${clock(s.from)}–${clock(s.to)} | ${s.baseline_track} | ${s.verdict} | ${s.score ?? "-"} | ${failed} |`,
      );
    }
    if (r.caught_by.length > 0) out.push("", `Caught by: ${r.caught_by.map((c) => `\`${c}\``).join(", ")}.`);
    const last = r.canary_steps.at(-1);
    for (const m of last?.failed_metrics ?? []) out.push(`- \`${m.name}\`: ${esc(m.reason)}`);
  }
  if (r.gitops) {
    out.push(
      "",
      "## GitOps",
      "",
      `\`git -C ${r.gitops.repository} log --oneline\` in the report folder:`,
      "",
      "```",
      ...r.gitops.log,
      "```",
    );
    if (r.gitops.diff.trim()) out.push("", "```diff", r.gitops.diff.trim(), "```");
  }
  if (r.cluster) out.push(...renderCluster(r.cluster));
  out.push("", "## Not real on this machine", "", ...r.not_real_here.map((l) => `- ${l}`));
  out.push("", "## Where the rehearsal differs from the workflow", "", ...r.differences.map((l) => `- ${l}`));
  if (r.timeline) out.push("", `![requests/s, p95 latency and error rate per track](${CHART_FILE})`);
  return `${out.join("\n")}\n`;
}
