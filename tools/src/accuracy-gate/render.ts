import { DECIMALS } from "./gate.js";
import type { GateReport, ModelSummary } from "./report.js";

const f = (x: number) => x.toFixed(DECIMALS);
const signed = (x: number) => `${x >= 0 ? "+" : ""}${f(x)}`;
const name = (m: ModelSummary) => `${m.model}/${m.version}`;

function lowestRecall(m: ModelSummary): string {
  const present = Object.entries(m.metrics.per_class_recall).filter(([l]) => (m.metrics.support[l] ?? 0) > 0);
  const [label, recall] = present.reduce((a, b) => (b[1] < a[1] ? b : a), present[0] ?? ["-", 0]);
  return `${f(recall)} (class ${label})`;
}

/** The terminal summary (stdout). */
export function renderText(report: GateReport): string {
  const { candidate: c, baseline: b, data } = report;
  const lines = [
    `accuracy gate: ${report.passed ? "PASSED" : "FAILED"}`,
    `data: ${data.path} (${data.rows} rows, ${data.features} features, sha256 ${data.sha256.slice(0, 12)})`,
  ];
  for (const [role, m] of [
    ["candidate", c],
    ["baseline", b],
  ] as const) {
    if (!m) continue;
    lines.push(
      `${role.padEnd(9)} ${name(m)}  accuracy ${f(m.metrics.accuracy)}  macro-F1 ${f(m.metrics.macro_f1)}  ` +
        `lowest recall ${lowestRecall(m)}  ${m.rows_per_second} rows/s  (${m.uri})`,
    );
  }
  if (report.deltas) {
    lines.push(
      `drop vs baseline (baseline − candidate; negative: candidate better): accuracy ${f(report.deltas.accuracy_drop)}, macro-F1 ${f(report.deltas.macro_f1_drop)}`,
    );
  }
  for (const check of report.checks) lines.push(`  ${check.passed ? "ok  " : "FAIL"} ${check.message}`);
  return `${lines.join("\n")}\n`;
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[], align?: string[]) {
  const sep = header.map((_, i) => align?.[i] ?? "---");
  // A "|" inside a cell (e.g. in a label) would split the column.
  const cell = (v: string | number) => String(v).replaceAll("|", "\\|");
  return [header.map(cell), sep, ...rows.map((r) => r.map(cell))]
    .map((r) => `| ${r.join(" | ")} |`)
    .join("\n");
}

/** A GitHub-flavoured Markdown report, fit for a job summary ($GITHUB_STEP_SUMMARY). */
export function renderMarkdown(report: GateReport): string {
  const { candidate: c, baseline: b, data, thresholds: t } = report;
  const out: string[] = [];
  out.push(`## Accuracy gate: ${report.passed ? "✅ passed" : "❌ failed"}`, "");
  out.push(
    `Candidate \`${name(c)}\` (\`${c.uri}\`)${b ? ` vs baseline \`${name(b)}\` (\`${b.uri}\`)` : ""} ` +
      `on \`${data.path}\`: ${data.rows} rows, ${data.features} features, sha256 \`${data.sha256.slice(0, 12)}\`.`,
    "",
  );
  const delta = (x: number | undefined) => (x === undefined ? "" : signed(-x));
  out.push(
    table(
      ["metric", "candidate", "baseline", "Δ candidate − baseline", "threshold"],
      [
        [
          "accuracy",
          f(c.metrics.accuracy),
          b ? f(b.metrics.accuracy) : "–",
          delta(report.deltas?.accuracy_drop),
          `≥ ${t.min_accuracy}; drop ≤ ${t.max_accuracy_drop}`,
        ],
        [
          "macro-F1",
          f(c.metrics.macro_f1),
          b ? f(b.metrics.macro_f1) : "–",
          delta(report.deltas?.macro_f1_drop),
          `drop ≤ ${t.max_macro_f1_drop}`,
        ],
        ["lowest class recall", lowestRecall(c), b ? lowestRecall(b) : "–", "", `≥ ${t.min_class_recall}`],
        ["rows/s", c.rows_per_second, b ? b.rows_per_second : "–", "", ""],
      ],
      ["---", "---:", "---:", "---:", "---"],
    ),
    "",
  );
  out.push(
    table(
      ["check", "result", "detail"],
      report.checks.map((k) => [`\`${k.id}\``, k.passed ? "✅ pass" : "❌ fail", k.message]),
    ),
    "",
  );
  out.push("<details><summary>Per-class recall</summary>", "");
  out.push(
    table(
      ["class", "rows", "candidate", "baseline"],
      c.labels.map((l) => [
        l,
        c.metrics.support[l] ?? 0,
        f(c.metrics.per_class_recall[l] ?? 0),
        b ? f(b.metrics.per_class_recall[l] ?? 0) : "–",
      ]),
    ),
    "",
    "</details>",
    "",
  );
  out.push(
    "<details><summary>Candidate confusion matrix (rows: true class, columns: predicted)</summary>",
    "",
  );
  out.push(
    table(
      ["true \\ predicted", ...c.labels],
      c.metrics.confusion_matrix.map((row, i) => [`**${c.labels[i]}**`, ...row]),
    ),
    "",
    "</details>",
    "",
  );
  return out.join("\n");
}
