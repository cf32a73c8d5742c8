/**
 * Expands an ApplicationSet with a cluster generator the way the ApplicationSet controller does
 * (goTemplate: true), so tests see the Applications Argo CD will create:
 * - the generator selects cluster Secrets by label and gives each template the parameters
 *   name, nameNormalized, server, project, metadata.labels and metadata.annotations;
 * - every string of spec.template that holds "{{" is rendered on its own with Go's
 *   text/template and sprig (here through Helm's `tpl`, the same engine and function library);
 * - spec.templatePatch is rendered as one string, parsed as YAML and merged into the result
 *   (maps merge, lists and scalars replace: strategic merge for fields without a merge key).
 * With goTemplateOptions missingkey=error, a field chain (.a.b.c) naming a key the parameters
 * lack is an error. Helm's tpl blanks such fields instead, so every field chain is first
 * resolved against the parameters here and a missing one throws the same error.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { helm, type K8sObject } from "./helm.js";

export type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
};
export type ClusterSecret = {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  stringData?: Record<string, string>;
  data?: Record<string, string>;
};
export type ClusterParams = {
  name: string;
  nameNormalized: string;
  server: string;
  project: string;
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
};
type Tree = null | boolean | number | string | Tree[] | { [key: string]: Tree };

/** Parameters the cluster generator passes for one cluster Secret. */
export function clusterParams(secret: ClusterSecret): ClusterParams {
  const data =
    secret.stringData ??
    Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
    );
  const name = data.name ?? "";
  return {
    name,
    nameNormalized: name.toLowerCase().replace(/[^a-z0-9.-]/g, "-"),
    server: data.server ?? "",
    project: data.project ?? "",
    metadata: { labels: secret.metadata.labels ?? {}, annotations: secret.metadata.annotations ?? {} },
  };
}

/** A Kubernetes label selector (matchLabels and matchExpressions) against a label map. */
export function selectorMatches(selector: LabelSelector = {}, labels: Record<string, string> = {}): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key];
    switch (operator) {
      case "In":
        return value !== undefined && values.includes(value);
      case "NotIn":
        return value === undefined || !values.includes(value);
      case "Exists":
        return value !== undefined;
      case "DoesNotExist":
        return value === undefined;
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabel && byExpression;
}

/** The cluster generators' selectors of an ApplicationSet (only cluster generators are used here). */
export function clusterSelectors(appset: K8sObject): LabelSelector[] {
  return (appset.spec.generators as Record<string, { selector?: LabelSelector }>[]).map((g) => {
    if (!g.clusters) throw new Error(`unsupported generator ${Object.keys(g).join(",")}`);
    return g.clusters.selector ?? {};
  });
}

/** The Application for one cluster; throws with the offending template on a missing key or a template error. */
export async function renderApplication(appset: K8sObject, params: ClusterParams): Promise<K8sObject> {
  const app = structuredClone(appset.spec.template) as { [key: string]: Tree };
  const slots: { text: string; set: (value: string) => void }[] = [];
  collectTemplates(app, (text, set) => slots.push({ text, set }));
  const patch = appset.spec.templatePatch as string | undefined;
  const rendered = await goTemplate([...slots.map((s) => s.text), ...(patch ? [patch] : [])], params);
  for (const [i, slot] of slots.entries()) slot.set(rendered[i] as string);
  const merged = patch ? deepMerge(app, (parse(rendered.at(-1) as string) ?? {}) as Tree) : app;
  return { apiVersion: "argoproj.io/v1alpha1", kind: "Application", ...(merged as object) } as K8sObject;
}

/** Calls `found` for every string holding "{{", with a setter that replaces it in place. */
function collectTemplates(node: Tree, found: (text: string, set: (value: string) => void) => void): void {
  if (node === null || typeof node !== "object") return;
  const entries: [string | number, Tree][] = Array.isArray(node) ? [...node.entries()] : Object.entries(node);
  for (const [key, child] of entries) {
    const set = (value: string) => ((node as Record<string | number, Tree>)[key] = value);
    if (typeof child === "string") {
      if (child.includes("{{")) found(child, set);
    } else {
      collectTemplates(child, found);
    }
  }
}

const isMap = (v: Tree): v is { [key: string]: Tree } =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function deepMerge(base: Tree, patch: Tree): Tree {
  if (!isMap(base) || !isMap(patch)) return patch;
  const out = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = k in base ? deepMerge(base[k] as Tree, v) : v;
  return out;
}

/** Renders each template text with text/template + sprig (Helm's tpl) against params. */
export async function goTemplate(texts: readonly string[], params: ClusterParams): Promise<string[]> {
  for (const text of texts) checkFieldChains(text, params);
  const work = await mkdtemp(join(tmpdir(), "infergate-go-template-"));
  try {
    await writeFile(join(work, "Chart.yaml"), "apiVersion: v2\nname: go-template\nversion: 0.0.0\n");
    // Helm wants a map per document: the rendered texts go under "out", base64 so leading and
    // trailing white space and YAML-special characters survive.
    const template =
      "out:\n{{- range .Values.texts }}\n  - {{ tpl . $.Values.params | b64enc | quote }}\n{{- end }}\n";
    await mkdir(join(work, "templates"));
    await writeFile(join(work, "templates", "out.yaml"), template);
    await writeFile(join(work, "values.json"), JSON.stringify({ texts, params }));
    const r = await helm(["template", "t", work, "-f", join(work, "values.json")]);
    if (r.code !== 0) throw new Error(`template error: ${r.stderr.trim()}`);
    const doc = parse(r.stdout.replace(/^---\n# Source: .*\n/m, "")) as { out?: string[] } | null;
    return (doc?.out ?? []).map((b) => Buffer.from(b, "base64").toString("utf8"));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** missingkey=error: every .a.b.c inside {{ }} (outside string literals) must exist in params. */
function checkFieldChains(text: string, params: ClusterParams): void {
  for (const [, action = ""] of text.matchAll(/{{-?(.*?)-?}}/gs)) {
    const code = action.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""');
    for (const [, chain = ""] of code.matchAll(/(?<![\w)\]$])\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)/g)) {
      let node: unknown = params;
      for (const key of chain.split(".")) {
        if (node === null || typeof node !== "object" || !(key in node)) {
          throw new Error(`map has no entry for key "${key}" in ${JSON.stringify(text)} (missingkey=error)`);
        }
        node = (node as Record<string, unknown>)[key];
      }
    }
  }
}
