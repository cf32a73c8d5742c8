#!/usr/bin/env node
// Validates every shipped PromQL expression (rules, canary analysis with its {{args.*}}
// placeholders substituted, dashboard targets and variables with Grafana variables
// substituted) with promtool 2.42: each becomes a recording rule in a throwaway rule file
// and `promtool check rules` parses it.
// Usage: node observability/check-promql.mjs [--promtool PATH] [--expr EXPR]...
//   --expr: check only these expressions (used by the negative test).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { collectExpressions } from "./lib/promql.mjs";

const { values: opts } = parseArgs({
  options: {
    promtool: { type: "string", default: "promtool" },
    expr: { type: "string", multiple: true },
    rules: { type: "string", default: "helm/infergate/files/prometheus-rules.yaml" },
    analysis: { type: "string", default: "helm/infergate/files/canary-analysis.yaml" },
    dashboard: { type: "string", default: "helm/infergate/files/dashboard.json" },
  },
});
const exprs = opts.expr
  ? opts.expr.map((e, i) => ({ source: `--expr ${i}`, expr: e }))
  : collectExpressions({ rulesFile: opts.rules, analysisFile: opts.analysis, dashboardFile: opts.dashboard });

const dir = mkdtempSync(join(tmpdir(), "infergate-promql-"));
let bad = 0;
const bySource = new Map();
for (const [i, e] of exprs.entries()) bySource.set(`check:expr_${i}`, e);
// One file per expression would be slow; one file with all, then re-check failures singly.
function promtool(list) {
  const file = join(dir, `rules-${Math.random().toString(36).slice(2)}.yaml`);
  const rules = list.map(([record, e]) => ({ record, expr: e.expr }));
  writeFileSync(file, stringify({ groups: [{ name: "promql-validity", rules }] }));
  return spawnSync(opts.promtool, ["check", "rules", file], { encoding: "utf8" });
}
const all = promtool([...bySource]);
if (all.error) {
  console.error(`cannot run ${opts.promtool}: ${all.error.message}`);
  process.exit(2);
}
if (all.status === 0) {
  for (const e of exprs) console.log(`ok   promql: ${e.source}`);
} else {
  for (const [record, e] of bySource) {
    const r = promtool([[record, e]]);
    if (r.status === 0) console.log(`ok   promql: ${e.source}`);
    else {
      bad++;
      console.log(`FAIL promql: ${e.source}: ${(r.stdout + r.stderr).trim().split("\n").slice(-2).join(" ")}`);
    }
  }
}
console.log(`promql: ${exprs.length - bad} valid, ${bad} invalid`);
process.exit(bad ? 1 : 0);
