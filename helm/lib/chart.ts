/**
 * The infergate chart as the tests see it: rendered with the pinned helm into objects to query,
 * and its values as a scenario resolves them (chart defaults with a values file merged over).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { docsOf, helmTemplate, type K8sObject } from "../../scripts/lib/helm.js";
import { REPO_ROOT } from "../../scripts/lib/repo.js";

export const CHART = "helm/infergate";
export const NAMESPACE = "infergate";

// biome-ignore lint/suspicious/noExplicitAny: values are free-form YAML; the chart's schema types them
export type Values = Record<string, any>;

export type Rendered = {
  yaml: string;
  docs: K8sObject[];
  find: (kind: string, name?: string) => K8sObject[];
  one: (kind: string, name?: string) => K8sObject | undefined;
};

/** `helm template infergate helm/infergate` with `args`; throws with helm's error when it fails. */
export async function renderChart(args: readonly string[] = [], chart = CHART): Promise<Rendered> {
  const r = await helmTemplate("infergate", chart, NAMESPACE, args);
  if (r.code !== 0) throw new Error(`helm template ${args.join(" ")} failed: ${r.stderr}`);
  const docs = docsOf(r.stdout);
  const find = (kind: string, name?: string) =>
    docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  return { yaml: r.stdout, docs, find, one: (kind, name) => find(kind, name)[0] };
}

/** A file of the chart (files/*, values*.yaml), as text. */
export const chartFile = (path: string): string => readFileSync(join(REPO_ROOT, CHART, path), "utf8");

const isMap = (v: unknown): v is Values => typeof v === "object" && v !== null && !Array.isArray(v);

/** Helm's merge of a values file over the chart defaults: maps merge, lists and scalars replace. */
function mergeValues(base: Values, over: Values): Values {
  const out = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] = isMap(v) && isMap(base[k]) ? mergeValues(base[k], v) : v;
  return out;
}

/** The chart's values with `valuesFile` (e.g. "values-prod.yaml") over the defaults. */
export function chartValues(valuesFile?: string): Values {
  const defaults = parse(chartFile("values.yaml")) as Values;
  return valuesFile ? mergeValues(defaults, (parse(chartFile(valuesFile)) ?? {}) as Values) : defaults;
}

/** Every key of a label selector has that value in `labels`. */
export const matches = (
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
