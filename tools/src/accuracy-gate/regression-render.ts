import type { RegressionGateReport, RegressionModelSummary } from "./regression-report.js";

const f = (x: number) => x.toFixed(6);
const signed = (x: number) => `${x >= 0 ? "+" : ""}${f(x)}`;
const name = (m: RegressionModelSummary) => `${m.model}/${m.version}`;

/** The terminal summary (stdout), laid out as the classification gate's. */
export function renderRegressionText(report: RegressionGateReport): string {
  const { candidate: c, baseline: b, data, deltas } = report;
  const lines = [
    `accuracy gate: ${report.passed ? "PASSED" : "FAILED"}`,
    `data: ${data.path} (${data.rows} rows, ${data.features} features, sha256 ${data.sha256.slice(0, 12)})`,
    `task: regression (predictions from output "${c.output}")`,
  ];
  for (const [role, m] of [
    ["candidate", c],
    ["baseline", b],
  ] as const) {
    if (!m) continue;
    lines.push(
      `${role.padEnd(9)} ${name(m)}  MAE ${f(m.metrics.mae)}  RMSE ${f(m.metrics.rmse)}  R² ${f(m.metrics.r2)}  ` +
        `${m.rows_per_second} rows/s  (${m.uri})`,
    );
  }
  if (deltas) {
    lines.push(
      `vs baseline (relative MAE/RMSE increase, R² drop; negative: candidate better): MAE ${signed(deltas.mae_increase)}, RMSE ${signed(deltas.rmse_increase)}, R² ${signed(deltas.r2_drop)}`,
    );
  }
  for (const check of report.checks) lines.push(`  ${check.passed ? "ok  " : "FAIL"} ${check.message}`);
  return `${lines.join("\n")}\n`;
}

/** A Markdown table; `numeric` columns are right-aligned. */
function table(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  numeric: number[] = [],
) {
  const cell = (v: string | number) => String(v).replaceAll("|", "\\|");
  return [header, header.map((_, i) => (numeric.includes(i) ? "---:" : "---")), ...rows]
    .map((row) => `| ${row.map(cell).join(" | ")} |`)
    .join("\n");
}

/** A GitHub-flavoured Markdown report, fit for a job summary ($GITHUB_STEP_SUMMARY). */
export function renderRegressionMarkdown(report: RegressionGateReport): string {
  const { candidate: c, baseline: b, data, deltas: d, thresholds: t } = report;
  const limit = (x: number | null) => (x === null ? "" : `≤ ${x}; `);
  const vs = b ? ` vs baseline \`${name(b)}\` (\`${b.uri}\`)` : "";
  return [
    `## Accuracy gate (regression): ${report.passed ? "✅ passed" : "❌ failed"}`,
    "",
    `Candidate \`${name(c)}\` (\`${c.uri}\`)${vs} on \`${data.path}\`: ${data.rows} rows, ` +
      `${data.features} features, sha256 \`${data.sha256.slice(0, 12)}\`; predictions from output \`${c.output}\`.`,
    "",
    table(
      ["metric", "candidate", "baseline", "change vs baseline", "threshold"],
      [
        [
          "MAE",
          f(c.metrics.mae),
          b ? f(b.metrics.mae) : "–",
          d ? `${signed(d.mae_increase)} (relative)` : "",
          `${limit(t.max_mae)}increase ≤ ${t.max_mae_increase}`,
        ],
        [
          "RMSE",
          f(c.metrics.rmse),
          b ? f(b.metrics.rmse) : "–",
          d ? `${signed(d.rmse_increase)} (relative)` : "",
          `${limit(t.max_rmse)}increase ≤ ${t.max_rmse_increase}`,
        ],
        [
          "R²",
          f(c.metrics.r2),
          b ? f(b.metrics.r2) : "–",
          d ? `${signed(-d.r2_drop)}` : "",
          `≥ ${t.min_r2}; drop ≤ ${t.max_r2_drop}`,
        ],
        ["rows/s", c.rows_per_second, b ? b.rows_per_second : "–", "", ""],
      ],
      [1, 2, 3],
    ),
    "",
    table(
      ["check", "result", "detail"],
      report.checks.map((k) => [`\`${k.id}\``, k.passed ? "✅ pass" : "❌ fail", k.message]),
    ),
    "",
  ].join("\n");
}
