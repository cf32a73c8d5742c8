import type { MetricResult } from "./classify/types.js";
import type { ResolvedJudgement } from "./definition/judgement.js";
import { fmt, fmtP } from "./format.js";
import type { Decision, Verdict } from "./verdict.js";

export type CanaryReport = {
  verdict: Verdict;
  exitCode: number;
  score?: number;
  reasons: string[];
  model: string;
  tracks: { stable: string; candidate: string };
  window: { start: string; end: string; seconds: number; stepSeconds: number };
  prometheus: string;
  selector: string;
  definition: string;
  thresholds: { confidence: number; minIntervals: number; score: { pass: number; marginal: number } };
  metrics: MetricResult[];
};

export function buildReport(a: {
  decision: Decision;
  exitCode: number;
  model: string;
  tracks: { stable: string; candidate: string };
  end: number;
  windowSeconds: number;
  stepSeconds: number;
  prometheus: string;
  selector: string;
  definition: string;
  judgement: ResolvedJudgement;
  metrics: MetricResult[];
}): CanaryReport {
  const iso = (t: number) => new Date(t * 1000).toISOString();
  return {
    verdict: a.decision.verdict,
    exitCode: a.exitCode,
    ...(a.decision.score !== undefined ? { score: a.decision.score } : {}),
    reasons: a.decision.reasons,
    model: a.model,
    tracks: a.tracks,
    window: {
      start: iso(a.end - a.windowSeconds),
      end: iso(a.end),
      seconds: a.windowSeconds,
      stepSeconds: a.stepSeconds,
    },
    prometheus: a.prometheus,
    selector: a.selector,
    definition: a.definition,
    thresholds: {
      confidence: a.judgement.confidence,
      minIntervals: a.judgement.minIntervals,
      score: a.judgement.score,
    },
    metrics: a.metrics,
  };
}

function value(r: MetricResult, v: number | undefined): string {
  if (v === undefined) return "-";
  if (r.kind === "agreement") return `${fmt(v * 100)}% disagree`;
  if (r.unit === "ratio") return `${fmt(v * 100)}%`;
  if (r.unit === "seconds") return `${fmt(v * 1000)} ms`;
  return fmt(v);
}

function effect(r: MetricResult): string {
  const e = r.effect;
  if (!e) return "-";
  const v =
    e.measure === "difference"
      ? `${e.value >= 0 ? "+" : ""}${r.unit === "ratio" ? `${fmt(e.value * 100)}pp` : fmt(e.value)}`
      : e.measure === "ratio"
        ? `x${fmt(e.value)}`
        : e.measure === "psi"
          ? `PSI ${fmt(e.value)}`
          : `${fmt(e.value * 100)}%`;
  const lim = (n: number) =>
    e.measure === "difference" && r.unit === "ratio"
      ? `${fmt(n * 100)}pp`
      : e.measure === "rate"
        ? `${fmt(n * 100)}%`
        : fmt(n);
  return `${v} (tol ${lim(e.tolerance)}${e.hardLimit !== undefined ? `, limit ${lim(e.hardLimit)}` : ""})`;
}

function test(r: MetricResult): { name: string; p: string } {
  if (!r.test) return { name: "-", p: "-" };
  const name =
    r.test.name === "mann-whitney-u"
      ? `Mann-Whitney U=${fmt(r.test.statistic ?? 0)} (${r.test.method})`
      : r.test.name === "chi-square"
        ? `chi-square ${fmt(r.test.statistic ?? 0)}, dof ${r.test.dof}`
        : `binomial k=${r.test.statistic}`;
  return { name, p: fmtP(r.test.pValue) };
}

function samples(r: MetricResult): string {
  const iv =
    r.stable.intervals !== undefined ? ` in ${r.stable.intervals}/${r.candidate.intervals} intervals` : "";
  return r.kind === "agreement"
    ? `${r.candidate.samples}`
    : `${r.stable.samples}/${r.candidate.samples}${iv}`;
}

const CLASS_TEXT: Record<MetricResult["class"], string> = {
  pass: "pass",
  high: "high",
  low: "low",
  nodata: "no data",
};

function classText(r: MetricResult): string {
  if (r.class === "nodata" || r.class === "pass") return CLASS_TEXT[r.class];
  return `${CLASS_TEXT[r.class]} (${r.passed ? "better" : "FAIL"})`;
}

function rows(report: CanaryReport): string[][] {
  return report.metrics.map((r) => {
    const t = test(r);
    return [
      `${r.name}${r.critical ? " *" : ""}`,
      value(r, r.stable.value),
      value(r, r.candidate.value),
      effect(r),
      t.name,
      t.p,
      samples(r),
      classText(r),
    ];
  });
}

const HEAD = [
  "metric",
  "stable",
  "candidate",
  "effect",
  "test",
  "p-value",
  "samples (stable/candidate)",
  "class",
];

function headline(report: CanaryReport): string {
  const s = report.thresholds.score;
  const score = report.score === undefined ? "no score" : `score ${report.score}`;
  return `${score}; promote at >= ${s.pass}, hold at >= ${s.marginal}`;
}

export function renderText(report: CanaryReport): string {
  const table = [HEAD, ...rows(report)];
  const widths = HEAD.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `  ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd();
  const out = [
    `canary verdict: ${report.verdict.toUpperCase()} (${headline(report)}; exit ${report.exitCode})`,
    `model ${report.model}: track "${report.tracks.candidate}" vs "${report.tracks.stable}", window ${report.window.seconds}s in ${report.window.stepSeconds}s intervals ending ${report.window.end}`,
    `queries and thresholds: ${report.definition}; selector ${report.selector}; ${report.prometheus}`,
    line(HEAD),
    ...rows(report).map(line),
    "  (* critical)",
  ];
  if (report.reasons.length > 0) out.push("reasons:", ...report.reasons.map((r) => `  - ${r}`));
  out.push("details:", ...report.metrics.map((r) => `  ${r.name}: ${r.reason}`));
  return `${out.join("\n")}\n`;
}

const ICON: Record<Verdict, string> = { promote: "✅", hold: "⏸️", rollback: "❌" };

export function renderMarkdown(report: CanaryReport): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  const out = [
    `## Canary verdict: ${ICON[report.verdict]} ${report.verdict}`,
    "",
    `Model \`${report.model}\`, track \`${report.tracks.candidate}\` vs \`${report.tracks.stable}\`, ${report.window.seconds} s window in ${report.window.stepSeconds} s intervals ending ${report.window.end}; ${headline(report)}; exit code ${report.exitCode}.`,
    "",
    `| ${HEAD.join(" | ")} |`,
    `| ${HEAD.map(() => "---").join(" | ")} |`,
    ...rows(report).map((r) => `| ${r.map(esc).join(" | ")} |`),
    "",
    "\\* critical: failing it rolls back whatever the score.",
  ];
  if (report.reasons.length > 0) out.push("", "**Reasons**", "", ...report.reasons.map((r) => `- ${esc(r)}`));
  out.push(
    "",
    "<details><summary>Per metric</summary>",
    "",
    ...report.metrics.map((r) => `- \`${r.name}\`: ${esc(r.reason)}`),
    "",
    "</details>",
  );
  return `${out.join("\n")}\n`;
}
