// PromQL helpers for the observability checks: collect every expression the project ships
// (alert/recording rules, canary analysis, Grafana dashboard), substitute template
// placeholders, and extract the metric names, label matchers and grouping labels they use.
// A deliberately small lexer (no full parser): promtool validates syntax separately.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

// Keywords and modifiers that look like identifiers but are not metric names.
const KEYWORDS = new Set([
  "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
  "and", "or", "unless", "offset", "atan2", "inf", "nan", "start", "end",
]);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

/** Sample values for placeholders, so expressions become plain PromQL. */
export const SAMPLE_ARGS = { namespace: "infergate", job: "infergate", window: "5m", step: "1m" };
/** Canary judgement placeholders (files/canary-analysis.yaml): track, label matchers, range. */
export const SAMPLE_PLACEHOLDERS = { track: "canary", selector: 'model="digits"', range: "5m" };
const GRAFANA_VARS = {
  __rate_interval: "5m", __interval: "1m", __range: "1h", __range_s: "3600",
  namespace: "infergate", job: "infergate", model: "digits", version: "2", datasource: "prometheus",
};

/**
 * Replace Argo Rollouts `{{args.x}}`, canary judgement `{{track}}` / `{{selector}}` / `{{range}}`
 * and Grafana `$x` / `${x}` / `[[x]]` placeholders.
 */
export function substitute(expr) {
  let out = expr.replace(/\{\{\s*args\.([A-Za-z0-9_-]+)\s*\}\}/g, (m, name) => {
    if (!(name in SAMPLE_ARGS)) throw new Error(`no sample value for placeholder ${m}`);
    return SAMPLE_ARGS[name];
  });
  out = out.replace(/\{\{([A-Za-z0-9_.-]+)\}\}/g, (m, name) => {
    if (!(name in SAMPLE_PLACEHOLDERS)) throw new Error(`no sample value for placeholder ${m}`);
    return SAMPLE_PLACEHOLDERS[name];
  });
  out = out.replace(/\$\{([A-Za-z0-9_]+)(?::[a-z]+)?\}|\[\[([A-Za-z0-9_]+)\]\]|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a, b, c) => {
    const name = a ?? b ?? c;
    if (!(name in GRAFANA_VARS)) throw new Error(`no sample value for dashboard variable ${m}`);
    return GRAFANA_VARS[name];
  });
  return out;
}

/** Placeholders (`{{args.NAME}}`) used by a canary-analysis query. */
export function argPlaceholders(expr) {
  return [...expr.matchAll(/\{\{\s*args\.([A-Za-z0-9_-]+)\s*\}\}/g)].map((m) => m[1]);
}

function stripStrings(expr) {
  return expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
}

/**
 * Analyse one (placeholder-free) PromQL expression.
 * Returns { names: Set, selectors: [{name, matchers: [{label, op, value}]}], grouping: Set }.
 */
export function analyse(expr) {
  const noComments = expr.replace(/#[^\n]*/g, "");
  const selectors = [];
  const names = new Set();
  // Selectors with a matcher block: name{...} or {__name__="..."}.
  const selRe = /([A-Za-z_:][A-Za-z0-9_:]*)?\s*\{((?:[^{}"]|"(?:[^"\\]|\\.)*")*)\}/g;
  for (const m of noComments.matchAll(selRe)) {
    const before = noComments.slice(0, m.index);
    if (m[1] && KEYWORDS.has(m[1])) continue;
    const matchers = [...m[2].matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map((x) => ({
      label: x[1], op: x[2], value: x[3],
    }));
    let name = m[1];
    if (!name) {
      const n = matchers.find((x) => x.label === "__name__" && x.op === "=");
      if (!n) continue;
      name = n.value;
    }
    // `sum by (x) {..}` cannot happen; a function call is `f(`, never `f{`.
    void before;
    selectors.push({ name, matchers });
    names.add(name);
  }
  // Bare identifiers: drop strings, matcher blocks, ranges, grouping lists, numbers, durations.
  let s = stripStrings(noComments);
  const grouping = new Set();
  for (const m of s.matchAll(GROUPING)) {
    for (const l of m[2].split(",").map((x) => x.trim()).filter(Boolean)) grouping.add(l);
  }
  s = s.replace(GROUPING, " ");
  s = s.replace(/\{[^{}]*\}/g, " ").replace(/\[[^\]]*\]/g, " ");
  s = s.replace(/\b(offset|@)\s*-?[0-9][0-9a-z.]*/gi, " ");
  s = s.replace(/(^|[^A-Za-z0-9_:.])(0x[0-9a-f]+|[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?)(?![A-Za-z0-9_:])/gi, "$1 ");
  for (const m of s.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const id = m[0];
    const after = s.slice(m.index + id.length);
    if (/^\s*\(/.test(after)) continue; // function or aggregation
    if (KEYWORDS.has(id.toLowerCase())) continue;
    names.add(id);
  }
  return { names, selectors, grouping };
}

/** Every PromQL expression shipped, as [{source, raw, expr}] with placeholders substituted. */
export function collectExpressions({ rulesFile, analysisFile, dashboardFile }) {
  const out = [];
  const rules = parse(readFileSync(rulesFile, "utf8"));
  for (const g of rules.groups ?? []) {
    for (const r of g.rules ?? []) {
      out.push({ source: `${rulesFile}: ${r.alert ? `alert ${r.alert}` : `record ${r.record}`}`, raw: r.expr, expr: r.expr });
    }
  }
  const analysis = parse(readFileSync(analysisFile, "utf8"));
  const declared = new Set((analysis.args ?? []).map((a) => a.name));
  for (const m of analysis.metrics ?? []) {
    // query: the metric per track; count: the observations behind it (samples metrics)
    for (const [part, q] of [["query", m.query], ["count", m.count]]) {
      if (q === undefined) continue;
      for (const a of argPlaceholders(q)) {
        if (!declared.has(a)) throw new Error(`${analysisFile}: metric ${m.name} uses undeclared {{args.${a}}}`);
      }
      out.push({ source: `${analysisFile}: metric ${m.name} ${part}`, raw: q, expr: substitute(q) });
    }
  }
  const dash = JSON.parse(readFileSync(dashboardFile, "utf8"));
  const walk = (panels) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) {
        if (t.expr) out.push({ source: `${dashboardFile}: panel "${p.title}" ${t.refId}`, raw: t.expr, expr: substitute(t.expr) });
      }
      walk(p.panels);
    }
  };
  walk(dash.panels);
  for (const v of dash.templating?.list ?? []) {
    if (v.type !== "query") continue;
    const q = typeof v.query === "string" ? v.query : v.query?.query;
    // label_values(selector, label) / query_result(expr): keep the PromQL part
    const lv = /^\s*label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/s.exec(q);
    const qr = /^\s*query_result\((.*)\)\s*$/s.exec(q);
    const expr = lv ? lv[1] : qr ? qr[1] : q;
    out.push({ source: `${dashboardFile}: variable $${v.name}`, raw: q, expr: substitute(expr), groupBy: lv ? [lv[2]] : [] });
  }
  return out;
}

/** Names produced by recording rules (not exported by the service). */
export function recordedNames(rulesFile) {
  const rules = parse(readFileSync(rulesFile, "utf8"));
  return new Set((rules.groups ?? []).flatMap((g) => (g.rules ?? []).filter((r) => r.record).map((r) => r.record)));
}

/**
 * Parse Prometheus text exposition: Map name -> {type, labels: Set, les: Set, series: count}.
 * Sample lines are attributed to their family (histogram _bucket/_sum/_count, summary _sum/_count).
 */
export function parseExposition(text) {
  const families = new Map();
  for (const line of text.split("\n")) {
    const t = /^# TYPE ([A-Za-z_:][A-Za-z0-9_:]*) (\w+)/.exec(line);
    if (t) families.set(t[1], { type: t[2], labels: new Set(), les: new Set(), series: 0 });
  }
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!m) continue;
    let fam = families.get(m[1]);
    if (!fam) {
      const base = m[1].replace(/_(bucket|sum|count)$/, "");
      fam = families.get(base);
    }
    if (!fam) continue;
    fam.series++;
    for (const l of (m[3] ?? "").matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (l[1] === "le") fam.les.add(Number(l[2]));
      else if (l[1] !== "quantile") fam.labels.add(l[1]);
    }
  }
  return families;
}

/** Resolve a referenced series name to its exported family, or null. */
export function familyOf(name, families) {
  if (families.has(name)) return { family: name, info: families.get(name), suffix: "" };
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (m && families.has(m[1])) {
    const info = families.get(m[1]);
    if (m[2] === "bucket" ? info.type === "histogram" : info.type === "histogram" || info.type === "summary") {
      return { family: m[1], info, suffix: m[2] };
    }
  }
  return null;
}
