/**
 * Every PromQL expression the project ships, collected from the chart's files: alert and
 * recording rules, the canary analysis (`query` and `count` templates) and the Grafana dashboard
 * (panel targets and query variables), with template placeholders substituted.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { argPlaceholders, substitute } from "./promql.js";

export type Expression = { source: string; raw: string; expr: string; groupBy?: string[] };
export type ShippedFiles = { rulesFile: string; analysisFile: string; dashboardFile: string };

/** The files the chart ships, relative to the repository root (sources name them so). */
export const SHIPPED: ShippedFiles = {
  rulesFile: "helm/infergate/files/prometheus-rules.yaml",
  analysisFile: "helm/infergate/files/canary-analysis.yaml",
  dashboardFile: "helm/infergate/files/dashboard.json",
};

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");

type Rules = { groups?: { rules?: { alert?: string; record?: string; expr: string }[] }[] };
type Panel = { title?: string; targets?: { expr?: string; refId?: string }[]; panels?: Panel[] };
type Dashboard = {
  panels?: Panel[];
  templating?: { list?: { type: string; name: string; query?: string | { query?: string } }[] };
};

export function collectExpressions({
  rulesFile,
  analysisFile,
  dashboardFile,
}: ShippedFiles = SHIPPED): Expression[] {
  const out: Expression[] = [];
  for (const g of (parse(read(rulesFile)) as Rules).groups ?? []) {
    for (const r of g.rules ?? []) {
      out.push({
        source: `${rulesFile}: ${r.alert ? `alert ${r.alert}` : `record ${r.record}`}`,
        raw: r.expr,
        expr: r.expr,
      });
    }
  }
  const analysis = parse(read(analysisFile)) as {
    args?: { name: string }[];
    metrics?: { name: string; query?: string; count?: string }[];
  };
  const declared = new Set((analysis.args ?? []).map((a) => a.name));
  for (const m of analysis.metrics ?? []) {
    // query: the metric per track; count: the observations behind it (samples metrics)
    for (const [part, q] of [
      ["query", m.query],
      ["count", m.count],
    ] as const) {
      if (q === undefined) continue;
      const undeclared = argPlaceholders(q).filter((a) => !declared.has(a));
      if (undeclared.length)
        throw new Error(`${analysisFile}: metric ${m.name} uses undeclared {{args.${undeclared[0]}}}`);
      out.push({ source: `${analysisFile}: metric ${m.name} ${part}`, raw: q, expr: substitute(q) });
    }
  }
  const dash = JSON.parse(read(dashboardFile)) as Dashboard;
  const walk = (panels: Panel[] | undefined) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) {
        if (t.expr)
          out.push({
            source: `${dashboardFile}: panel "${p.title}" ${t.refId}`,
            raw: t.expr,
            expr: substitute(t.expr),
          });
      }
      walk(p.panels);
    }
  };
  walk(dash.panels);
  for (const v of dash.templating?.list ?? []) {
    if (v.type !== "query") continue;
    const q = (typeof v.query === "string" ? v.query : v.query?.query) ?? "";
    // label_values(selector, label) / query_result(expr): keep the PromQL part
    const lv = /^\s*label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/s.exec(q);
    const qr = /^\s*query_result\((.*)\)\s*$/s.exec(q);
    const expr = lv?.[1] ?? qr?.[1] ?? q;
    out.push({
      source: `${dashboardFile}: variable $${v.name}`,
      raw: q,
      expr: substitute(expr),
      groupBy: lv ? [lv[2] as string] : [],
    });
  }
  return out;
}

/** Names produced by recording rules (not exported by the service). */
export function recordedNames(rulesFile = SHIPPED.rulesFile): Set<string> {
  const rules = parse(read(rulesFile)) as Rules;
  return new Set(
    (rules.groups ?? []).flatMap((g) => (g.rules ?? []).flatMap((r) => (r.record ? [r.record] : []))),
  );
}
