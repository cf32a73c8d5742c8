// Expands an ApplicationSet with a cluster generator the way the ApplicationSet controller
// does (goTemplate: true), so the tests see the Applications Argo CD will create:
// - the generator selects cluster Secrets by label and gives each template the parameters
//   name, nameNormalized, server, project, metadata.labels and metadata.annotations;
// - every string of spec.template that holds "{{" is rendered on its own with Go's
//   text/template and sprig (here through Helm's `tpl`, the same engine and function library);
// - spec.templatePatch is rendered as one string, parsed as YAML and merged into the result
//   (maps merge, lists and scalars replace: strategic merge for fields without a merge key).
// With goTemplateOptions missingkey=error, a field chain (.a.b.c) naming a key the parameters
// lack is an error. Helm's tpl blanks such fields instead, so every field chain is first
// resolved against the parameters here and a missing one throws the same error.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** Parameters the cluster generator passes for one cluster Secret. */
export function clusterParams(secret) {
  const data = secret.stringData ?? decodeData(secret.data ?? {});
  return {
    name: data.name,
    nameNormalized: data.name.toLowerCase().replace(/[^a-z0-9.-]/g, "-"),
    server: data.server,
    project: data.project ?? "",
    metadata: { labels: secret.metadata.labels ?? {}, annotations: secret.metadata.annotations ?? {} },
  };
}

function decodeData(data) {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
}

/** A Kubernetes label selector (matchLabels and matchExpressions) against a label map. */
export function selectorMatches(selector = {}, labels = {}) {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case "In":
        return key in labels && values.includes(labels[key]);
      case "NotIn":
        return !(key in labels) || !values.includes(labels[key]);
      case "Exists":
        return key in labels;
      case "DoesNotExist":
        return !(key in labels);
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabel && byExpression;
}

/** The cluster generators' selectors of an ApplicationSet (only cluster generators are used here). */
export function clusterSelectors(appset) {
  return appset.spec.generators.map((g) => {
    if (!g.clusters) throw new Error(`unsupported generator ${Object.keys(g).join(",")}`);
    return g.clusters.selector ?? {};
  });
}

/**
 * Renders the Application for one cluster. Throws with the offending template on a
 * missing key or a template error.
 */
export function renderApplication(appset, params, { helm, workDir }) {
  const strings = [];
  collectTemplates(appset.spec.template, strings);
  const patch = appset.spec.templatePatch;
  const rendered = goTemplate([...strings.map((s) => s.text), ...(patch ? [patch] : [])], params, { helm, workDir });
  const app = structuredClone(appset.spec.template);
  strings.forEach((s, i) => s.set(app, rendered[i]));
  const merged = patch ? deepMerge(app, parse(rendered.at(-1)) ?? {}) : app;
  return { apiVersion: "argoproj.io/v1alpha1", kind: "Application", ...merged };
}

function collectTemplates(node, out, path = []) {
  if (typeof node === "string") {
    if (node.includes("{{")) out.push({ text: node, set: (root, v) => setAt(root, path, v) });
  } else if (Array.isArray(node)) {
    node.forEach((child, i) => collectTemplates(child, out, [...path, i]));
  } else if (node && typeof node === "object") {
    for (const [k, child] of Object.entries(node)) collectTemplates(child, out, [...path, k]);
  }
}

function setAt(root, path, value) {
  const parent = path.slice(0, -1).reduce((n, k) => n[k], root);
  parent[path.at(-1)] = value;
}

function deepMerge(base, patch) {
  if (!isMap(base) || !isMap(patch)) return patch;
  const out = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

const isMap = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** Renders each template text with text/template + sprig (Helm's tpl) against params. */
export function goTemplate(texts, params, { helm, workDir }) {
  for (const text of texts) checkFieldChains(text, params);
  const chart = join(workDir, "go-template");
  mkdirSync(join(chart, "templates"), { recursive: true });
  writeFileSync(join(chart, "Chart.yaml"), "apiVersion: v2\nname: go-template\nversion: 0.0.0\n");
  writeFileSync(
    join(chart, "templates", "out.yaml"),
    // Helm wants a map per document: the rendered texts go under "out".
    'out:\n{{- range .Values.texts }}\n  - {{ tpl . $.Values.params | b64enc | quote }}\n{{- end }}\n',
  );
  const values = join(workDir, "go-template-values.json");
  writeFileSync(values, JSON.stringify({ texts, params }));
  const r = spawnSync(helm, ["template", "t", chart, "-f", values], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`template error: ${r.stderr.trim()}`);
  const doc = r.stdout.replace(/^---\n# Source: .*\n/m, "");
  // base64 keeps leading/trailing white space and YAML-special characters intact.
  return (parse(doc)?.out ?? []).map((b) => Buffer.from(b, "base64").toString("utf8"));
}

/** missingkey=error: every .a.b.c inside {{ }} (outside string literals) must exist in params. */
function checkFieldChains(text, params) {
  for (const [, action] of text.matchAll(/{{-?(.*?)-?}}/gs)) {
    const code = action.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""');
    for (const [, chain] of code.matchAll(/(?<![\w)\]$])\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)/g)) {
      let node = params;
      for (const key of chain.split(".")) {
        if (node === null || typeof node !== "object" || !(key in node)) {
          throw new Error(`map has no entry for key "${key}" in ${JSON.stringify(text)} (missingkey=error)`);
        }
        node = node[key];
      }
    }
  }
}
