/**
 * Checks that every metric the shipped PromQL uses is one the service exports (from a scrape of
 * its /metrics), with the labels and histogram buckets the queries rely on. Recording-rule
 * outputs are known by their rules; metrics the contract marks `pending` are reported, not failed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { type Family, familyOf, parseExposition } from "./exposition.js";
import {
  collectExpressions,
  type Expression,
  recordedNames,
  SHIPPED,
  type ShippedFiles,
} from "./expressions.js";
import { analyse } from "./promql.js";

export const CONTRACT = "observability/metrics-contract.yaml";
/** Labels Prometheus adds from the target (or that name the series), on every metric. */
const TARGET_LABELS = [
  "namespace",
  "job",
  "pod",
  "instance",
  "service",
  "endpoint",
  "container",
  "node",
  "track",
  "__name__",
];

export type NameStatus = "recorded" | "exported" | "pending" | "missing";
export type NameReport = {
  status: NameStatus;
  sources: Set<string>;
  family?: string;
  type?: string;
  fromContract: boolean;
};
export type MetricReport = {
  families: Map<string, Family>;
  expressions: Expression[];
  names: Map<string, NameReport>;
  /** Problems with a label matcher, grouping label or bucket, by expression source. */
  labelProblems: Map<string, string[]>;
  /** Every failure, one message each (label problems, names not exported, contract drift). */
  failures: string[];
  /** Metrics the contract still marks pending that the scrape now has. */
  notes: string[];
};

type Contract = Record<string, { labels?: string[]; pending?: boolean }>;

export function checkMetricNames(
  scrape: string,
  contractFile = CONTRACT,
  files: ShippedFiles = SHIPPED,
): MetricReport {
  const families = parseExposition(scrape);
  const contract =
    (parse(readFileSync(join(REPO_ROOT, contractFile), "utf8")) as { metrics?: Contract }).metrics ?? {};
  const expressions = collectExpressions(files);
  const recorded = recordedNames(files.rulesFile);
  // Labels a recorded series carries: the grouping labels of its defining expression.
  const recordedLabels = new Map<string, Set<string>>();
  for (const e of expressions) {
    const m = / record (.+)$/.exec(e.source);
    if (m) recordedLabels.set(m[1] as string, analyse(e.expr).grouping);
  }

  const labelsOf = (name: string) => {
    if (recorded.has(name))
      return {
        labels: recordedLabels.get(name) ?? new Set<string>(),
        known: true,
        status: "recorded" as const,
      };
    const fam = familyOf(name, families);
    const c = contract[fam ? fam.family : name.replace(/_(bucket|sum|count)$/, "")] ?? contract[name];
    // The scrape is the truth when it has series; the contract only fills in for families with
    // no series yet (a failure counter that never fired).
    if (fam && fam.info.series > 0)
      return { labels: fam.info.labels, known: true, status: "exported" as const, fam };
    const labels = new Set(c?.labels ?? []);
    if (fam) return { labels, known: Boolean(c), status: "exported" as const, fam };
    if (c?.pending) return { labels, known: true, status: "pending" as const };
    return { labels, known: false, status: "missing" as const };
  };

  const names = new Map<string, NameReport>();
  const labelProblems = new Map<string, string[]>();
  for (const e of expressions) {
    const problems: string[] = [];
    const { names: used, selectors, grouping } = analyse(e.expr);
    if (used.size === 0) problems.push(`${e.source}: no metric name found in ${JSON.stringify(e.raw)}`);
    const available = new Set(TARGET_LABELS);
    for (const n of used) {
      const info = labelsOf(n);
      const report = names.get(n) ?? {
        status: info.status,
        sources: new Set<string>(),
        family: info.fam?.family,
        type: info.fam?.info.type,
        fromContract: Boolean(info.fam && info.fam.info.series === 0),
      };
      report.sources.add(e.source);
      names.set(n, report);
      for (const l of info.labels) available.add(l);
      if (n.endsWith("_bucket")) available.add("le");
    }
    for (const sel of selectors) {
      const info = labelsOf(sel.name);
      if (!info.known) continue; // reported per name
      for (const m of sel.matchers) {
        if (m.label === "le") {
          const les = info.fam?.info.les;
          if (!sel.name.endsWith("_bucket"))
            problems.push(`${e.source}: le matcher on non-bucket series ${sel.name}`);
          else if (les && les.size > 0 && !les.has(Number(m.value)))
            problems.push(
              `${e.source}: ${sel.name}{le="${m.value}"} is not a bucket the service exports (buckets: ${[...les].join(", ")})`,
            );
        } else if (!info.labels.has(m.label) && !TARGET_LABELS.includes(m.label)) {
          problems.push(
            `${e.source}: ${sel.name} has no label "${m.label}" (service labels: ${[...info.labels].join(", ") || "none"})`,
          );
        }
      }
    }
    for (const l of [...grouping, ...(e.groupBy ?? [])]) {
      if (!available.has(l))
        problems.push(`${e.source}: grouping label "${l}" is on none of ${[...used].join(", ")}`);
    }
    labelProblems.set(e.source, problems);
  }

  const failures = families.size === 0 ? ["the scrape has no '# TYPE' lines (not a Prometheus scrape?)"] : [];
  failures.push(...[...labelProblems.values()].flat());
  for (const [name, r] of names) {
    if (r.status === "missing")
      failures.push(`${name} is not exported by the service (used by ${[...r.sources].join("; ")})`);
  }
  const notes: string[] = [];
  for (const [name, c] of Object.entries(contract)) {
    if (c.pending && families.has(name))
      notes.push(`${name} is now exported: drop "pending" from ${contractFile}`);
    if (!c.pending && !families.has(name))
      failures.push(`${name}: in ${contractFile} as exported, but missing from the scrape`);
  }
  return { families, expressions, names, labelProblems, failures, notes };
}
