#!/usr/bin/env node
// Checks that every metric the shipped PromQL uses (alert/recording rules, canary analysis,
// Grafana dashboard) is one the service really exports, with the labels and histogram
// buckets the queries rely on.
//
// Usage: node observability/check-metric-names.mjs --metrics-file scrape.txt [--contract F]
//        [--rules F] [--analysis F] [--dashboard F]
// The scrape normally comes from observability/check-metric-names.sh, which starts the
// real service, sends an inference and saves GET /metrics.
// Prints one line per referenced metric; exits 1 on any failure.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { analyse, collectExpressions, familyOf, parseExposition, recordedNames } from "./lib/promql.mjs";

const { values: opts } = parseArgs({
  options: {
    "metrics-file": { type: "string" },
    contract: { type: "string", default: "observability/metrics-contract.yaml" },
    rules: { type: "string", default: "helm/infergate/files/prometheus-rules.yaml" },
    analysis: { type: "string", default: "helm/infergate/files/canary-analysis.yaml" },
    dashboard: { type: "string", default: "helm/infergate/files/dashboard.json" },
  },
});
if (!opts["metrics-file"]) {
  console.error("usage: check-metric-names.mjs --metrics-file FILE");
  process.exit(2);
}

const TARGET_LABELS = new Set(["namespace", "job", "pod", "instance", "service", "endpoint", "container", "node", "track", "__name__"]);
const families = parseExposition(readFileSync(opts["metrics-file"], "utf8"));
if (families.size === 0) {
  console.error(`FAIL ${opts["metrics-file"]}: no '# TYPE' lines (not a Prometheus scrape?)`);
  process.exit(1);
}
const contract = parse(readFileSync(opts.contract, "utf8")).metrics ?? {};
const exprs = collectExpressions({ rulesFile: opts.rules, analysisFile: opts.analysis, dashboardFile: opts.dashboard });
const recorded = recordedNames(opts.rules);
// Labels a recorded series carries: the grouping labels of its defining expression.
const recordedLabels = new Map();
for (const e of exprs) {
  const m = / record (.+)$/.exec(e.source);
  if (m) recordedLabels.set(m[1], analyse(e.expr).grouping);
}

const failures = [];
const fail = (msg) => failures.push(msg);
const byName = new Map(); // name -> {sources:Set}
const notes = [];

function labelsOf(name) {
  // -> {labels:Set, known:boolean, status}
  if (recorded.has(name)) return { labels: recordedLabels.get(name) ?? new Set(), known: true, status: "recorded" };
  const fam = familyOf(name, families);
  const base = fam ? fam.family : name.replace(/_(bucket|sum|count)$/, "");
  const c = contract[base] ?? contract[name];
  // The scrape is the truth when it has series; the contract only fills in for families
  // with no series yet (a failure counter that never fired).
  if (fam && fam.info.series > 0) return { labels: new Set(fam.info.labels), known: true, status: "exported", fam };
  const labels = new Set(c?.labels ?? []);
  if (fam) return { labels, known: Boolean(c), status: "exported", fam };
  if (c?.pending) return { labels, known: true, status: "pending" };
  return { labels, known: false, status: "missing" };
}

for (const e of exprs) {
  const { names, selectors, grouping } = analyse(e.expr);
  if (names.size === 0) fail(`${e.source}: no metric name found in ${JSON.stringify(e.raw)}`);
  const available = new Set(TARGET_LABELS);
  for (const n of names) {
    if (!byName.has(n)) byName.set(n, new Set());
    byName.get(n).add(e.source);
    const info = labelsOf(n);
    for (const l of info.labels) available.add(l);
    if (n.endsWith("_bucket")) available.add("le");
  }
  for (const sel of selectors) {
    const info = labelsOf(sel.name);
    if (info.status === "missing" || !info.known) continue; // reported per name below
    for (const m of sel.matchers) {
      if (m.label === "le") {
        if (!sel.name.endsWith("_bucket")) fail(`${e.source}: le matcher on non-bucket series ${sel.name}`);
        else if (info.fam && info.fam.info.les.size > 0 && !info.fam.info.les.has(Number(m.value))) {
          fail(`${e.source}: ${sel.name}{le="${m.value}"} is not a bucket the service exports (buckets: ${[...info.fam.info.les].join(", ")})`);
        }
        continue;
      }
      if (!info.labels.has(m.label) && !TARGET_LABELS.has(m.label)) {
        fail(`${e.source}: ${sel.name} has no label "${m.label}" (service labels: ${[...info.labels].join(", ") || "none"})`);
      }
    }
  }
  for (const l of [...grouping, ...(e.groupBy ?? [])]) {
    if (!available.has(l)) fail(`${e.source}: grouping label "${l}" is on none of ${[...names].join(", ")}`);
  }
}

let exported = 0;
let pending = 0;
for (const [name, sources] of [...byName].sort()) {
  const info = labelsOf(name);
  const where = `(${sources.size} quer${sources.size === 1 ? "y" : "ies"})`;
  if (info.status === "recorded") {
    console.log(`ok      ${name} ${where}: recording rule`);
  } else if (info.status === "exported") {
    exported++;
    console.log(`ok      ${name} ${where}: ${info.fam.info.type} ${info.fam.family}${info.fam.info.series ? "" : " (no series yet; labels from the contract)"}`);
  } else if (info.status === "pending") {
    pending++;
    console.log(`PENDING ${name} ${where}: promised by the contract, not exported yet`);
  } else {
    fail(`${name} is not exported by the service (used by ${[...sources].join("; ")})`);
  }
}
for (const [name, c] of Object.entries(contract)) {
  if (c.pending && families.has(name)) notes.push(`note: ${name} is now exported: drop "pending" from ${opts.contract}`);
  if (!c.pending && !families.has(name)) fail(`${name}: in ${opts.contract} as exported, but missing from the scrape`);
}
for (const n of notes) console.log(n);
for (const f of failures) console.log(`FAIL    ${f}`);
console.log(
  `metric names: ${byName.size} referenced by ${exprs.length} expressions; ${exported} exported, ${pending} pending, ${failures.length} failure(s)`,
);
process.exit(failures.length ? 1 : 0);
