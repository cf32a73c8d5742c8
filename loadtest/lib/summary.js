// handleSummary for the load gate: writes <SUMMARY_DIR>/summary.json (compact, machine-readable),
// <SUMMARY_DIR>/summary.md (for the GitHub Actions job summary) and <SUMMARY_DIR>/k6-data.json
// (k6's full summary data), and prints a short text verdict. Written here rather than taken from
// the k6 jslib, which would be a network import.
import { gateThresholds } from "./config.js";

const round = (v, digits = 2) =>
  typeof v === "number" && Number.isFinite(v) ? Number(v.toFixed(digits)) : null;

function fmtMs(v) {
  if (v === null || v === undefined) return "n/a";
  return `${Number.isInteger(v) ? v : v.toFixed(v < 10 ? 2 : 1)} ms`;
}
function fmtRate(v) {
  if (v === null || v === undefined) return "n/a";
  return `${Number.isInteger(v) ? v : v.toFixed(1)}/s`;
}
function fmtPct(v) {
  return v === null || v === undefined ? "n/a" : `${(v * 100).toFixed(2)}%`;
}

/** "p(95)<100" → "< 100 ms" in the threshold's unit. */
function limitText(t) {
  const m = /^[^<>=]+(<=|>=|<|>|==|!=)\s*(.+)$/.exec(t.expression);
  if (!m) return t.expression;
  const value = Number(m[2]);
  return `${m[1]} ${valueText(t.unit, value)}`;
}

function valueText(unit, value) {
  if (unit === "fraction") return fmtPct(value);
  if (unit === "per_second") return fmtRate(value);
  return fmtMs(value);
}

/** Pure: k6's summary data + the stage config → the compact gate report. */
export function gateReport(data, cfg) {
  const metric = (name) => data.metrics[name];
  const values = (name) => metric(name)?.values ?? {};
  const thresholds = gateThresholds(cfg).list.map((t) => {
    const result = metric(t.metric)?.thresholds?.[t.expr];
    const actual = values(t.metric)[t.stat];
    // A threshold on a metric that never got a sample is not evaluated by k6: report it as failed.
    return {
      label: t.label,
      metric: t.metric,
      expression: t.expr,
      unit: t.unit,
      actual: round(actual, 4),
      ok: result ? result.ok === true : false,
    };
  });
  const latency = values("http_req_duration{kind:infer}");
  const reqs = values("http_reqs{kind:infer}");
  const errors = values("gate_errors");
  const setup = data.setup_data ?? {};
  return {
    gate: "load",
    stage: cfg.stage,
    passed: thresholds.every((t) => t.ok),
    base_url: cfg.baseUrl,
    model: cfg.model,
    model_version: setup.modelVersion ?? null,
    config: {
      description: cfg.description,
      duration: cfg.duration,
      rate: cfg.rate ?? null,
      peak_rate: cfg.peakRate ?? null,
      vus: cfg.vus ?? null,
      batch: cfg.batch,
      expected_rps: round(cfg.expectedRps ?? null),
      p95_ms: cfg.p95Ms,
      p99_ms: cfg.p99Ms,
      max_error_rate: cfg.maxErrorRate,
      min_rps: cfg.minRps,
    },
    thresholds,
    metrics: {
      requests: reqs.count ?? 0,
      rps: round(reqs.rate ?? null),
      avg_ms: round(latency.avg ?? null, 3),
      med_ms: round(latency.med ?? null, 3),
      p90_ms: round(latency["p(90)"] ?? null, 3),
      p95_ms: round(latency["p(95)"] ?? null, 3),
      p99_ms: round(latency["p(99)"] ?? null, 3),
      max_ms: round(latency.max ?? null, 3),
      error_rate: round(errors.rate ?? null, 6),
      failed_checks: errors.passes ?? 0,
      checks_pass_rate: round(values("checks").rate ?? null, 6),
      dropped_iterations: values("dropped_iterations").count ?? 0,
      vus_max: values("vus_max").max ?? values("vus_max").value ?? null,
      duration_ms: round(data.state?.testRunDurationMs ?? null, 1),
    },
  };
}

/** The gate report as Markdown (GitHub-flavoured) for $GITHUB_STEP_SUMMARY and PR comments. */
export function gateMarkdown(report) {
  const c = report.config;
  const m = report.metrics;
  const verdict = report.passed ? "✅ passed" : "❌ failed";
  const shape =
    report.stage === "smoke"
      ? `${c.vus} VU for ${c.duration}`
      : report.stage === "load"
        ? `${c.rate} req/s for ${c.duration}`
        : `base ${c.rate} req/s, spike to ${c.peak_rate} req/s, ${c.duration} (average ${c.expected_rps} req/s)`;
  const lines = [
    `### k6 load gate \`${report.stage}\`: ${verdict}`,
    "",
    `Model \`${report.model}\` version \`${report.model_version ?? "?"}\` at \`${report.base_url}\`; ${shape}, batch ${c.batch}.`,
    "",
    "| Threshold | Limit | Actual | Result |",
    "| --- | --- | --- | --- |",
  ];
  for (const t of report.thresholds) {
    lines.push(`| ${t.label} | ${limitText(t)} | ${valueText(t.unit, t.actual)} | ${t.ok ? "✅" : "❌"} |`);
  }
  lines.push(
    "",
    "| Metric (inference requests) | Value |",
    "| --- | --- |",
    `| requests | ${m.requests} |`,
    `| achieved rate | ${fmtRate(m.rps)} |`,
    `| latency avg / med / p90 | ${fmtMs(m.avg_ms)} / ${fmtMs(m.med_ms)} / ${fmtMs(m.p90_ms)} |`,
    `| latency p95 / p99 / max | ${fmtMs(m.p95_ms)} / ${fmtMs(m.p99_ms)} / ${fmtMs(m.max_ms)} |`,
    `| failed checks (all requests) | ${m.failed_checks} (${fmtPct(m.error_rate)}) |`,
    `| dropped iterations | ${m.dropped_iterations} |`,
    `| test duration | ${m.duration_ms === null ? "n/a" : `${(m.duration_ms / 1000).toFixed(1)} s`} |`,
    "",
  );
  return lines.join("\n");
}

function textVerdict(report) {
  const m = report.metrics;
  const failed = report.thresholds
    .filter((t) => !t.ok)
    .map((t) => `${t.label} ${t.expression} (actual ${t.actual})`);
  return (
    `load gate ${report.stage}: ${report.passed ? "PASS" : "FAIL"}  ` +
    `requests=${m.requests} rps=${m.rps} p95=${m.p95_ms}ms p99=${m.p99_ms}ms errors=${m.error_rate}` +
    (failed.length > 0 ? `\n  failed: ${failed.join("; ")}` : "") +
    "\n"
  );
}

/** Builds the handleSummary export of a stage script. */
export function makeHandleSummary(cfg) {
  return (data) => {
    const report = gateReport(data, cfg);
    const dir = cfg.summaryDir;
    return {
      stdout: textVerdict(report),
      [`${dir}/summary.json`]: `${JSON.stringify(report, null, 2)}\n`,
      [`${dir}/summary.md`]: gateMarkdown(report),
      [`${dir}/k6-data.json`]: JSON.stringify(data),
    };
  };
}
