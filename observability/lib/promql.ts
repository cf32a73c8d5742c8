/**
 * A deliberately small PromQL lexer (no full parser: promtool validates syntax separately): the
 * metric names, label matchers and grouping labels an expression uses, and the substitution of
 * the template placeholders the shipped expressions hold.
 */

// Keywords and modifiers that look like identifiers but are not metric names.
const KEYWORDS = new Set(
  "by without on ignoring group_left group_right bool and or unless offset atan2 inf nan start end".split(
    " ",
  ),
);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

/** Sample values for Argo Rollouts `{{args.x}}` placeholders, so expressions become plain PromQL. */
export const SAMPLE_ARGS: Record<string, string> = {
  namespace: "infergate",
  job: "infergate",
  window: "5m",
  step: "1m",
};
/** Canary judgement placeholders (files/canary-analysis.yaml): track, label matchers, range. */
export const SAMPLE_PLACEHOLDERS: Record<string, string> = {
  track: "canary",
  selector: 'model="digits"',
  range: "5m",
};
const GRAFANA_VARS: Record<string, string> = {
  __rate_interval: "5m",
  __interval: "1m",
  __range: "1h",
  __range_s: "3600",
  namespace: "infergate",
  job: "infergate",
  model: "digits",
  version: "2",
  datasource: "prometheus",
};

function sample(samples: Record<string, string>, name: string, placeholder: string, what: string): string {
  const value = samples[name];
  if (value === undefined) throw new Error(`no sample value for ${what} ${placeholder}`);
  return value;
}

/**
 * Replaces Argo Rollouts `{{args.x}}`, canary judgement `{{track}}` / `{{selector}}` / `{{range}}`
 * and Grafana `$x` / `${x}` / `[[x]]` placeholders; throws on one without a sample value.
 */
export function substitute(expr: string): string {
  return expr
    .replace(/\{\{\s*args\.([A-Za-z0-9_-]+)\s*\}\}/g, (m, name: string) =>
      sample(SAMPLE_ARGS, name, m, "placeholder"),
    )
    .replace(/\{\{([A-Za-z0-9_.-]+)\}\}/g, (m, name: string) =>
      sample(SAMPLE_PLACEHOLDERS, name, m, "placeholder"),
    )
    .replace(
      /\$\{([A-Za-z0-9_]+)(?::[a-z]+)?\}|\[\[([A-Za-z0-9_]+)\]\]|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (m, a?: string, b?: string, c?: string) =>
        sample(GRAFANA_VARS, a ?? b ?? c ?? "", m, "dashboard variable"),
    );
}

/** Placeholders (`{{args.NAME}}`) used by a canary-analysis query. */
export function argPlaceholders(expr: string): string[] {
  return [...expr.matchAll(/\{\{\s*args\.([A-Za-z0-9_-]+)\s*\}\}/g)].map((m) => m[1] as string);
}

export type Matcher = { label: string; op: string; value: string };
export type Selector = { name: string; matchers: Matcher[] };
export type Analysis = { names: Set<string>; selectors: Selector[]; grouping: Set<string> };

/** Analyses one (placeholder-free) PromQL expression. */
export function analyse(expr: string): Analysis {
  const noComments = expr.replace(/#[^\n]*/g, "");
  const selectors: Selector[] = [];
  const names = new Set<string>();
  // Selectors with a matcher block: name{...} or {__name__="..."}. A function call is `f(`, never `f{`.
  for (const m of noComments.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)?\s*\{((?:[^{}"]|"(?:[^"\\]|\\.)*")*)\}/g)) {
    if (m[1] && KEYWORDS.has(m[1])) continue;
    const matchers = [
      ...(m[2] ?? "").matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g),
    ].map(([, label = "", op = "", value = ""]) => ({ label, op, value }));
    const name = m[1] ?? matchers.find((x) => x.label === "__name__" && x.op === "=")?.value;
    if (!name) continue;
    selectors.push({ name, matchers });
    names.add(name);
  }
  // Bare identifiers: drop strings, matcher blocks, ranges, grouping lists, numbers, durations.
  let s = noComments.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  const grouping = new Set<string>();
  for (const m of s.matchAll(GROUPING)) {
    for (const label of (m[2] ?? "").split(",").map((x) => x.trim())) if (label) grouping.add(label);
  }
  s = s.replace(GROUPING, " ");
  s = s.replace(/\{[^{}]*\}/g, " ").replace(/\[[^\]]*\]/g, " ");
  s = s.replace(/\b(offset|@)\s*-?[0-9][0-9a-z.]*/gi, " ");
  s = s.replace(/(^|[^A-Za-z0-9_:.])(0x[0-9a-f]+|[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?)(?![A-Za-z0-9_:])/gi, "$1 ");
  for (const m of s.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const id = m[0];
    if (/^\s*\(/.test(s.slice(m.index + id.length))) continue; // function or aggregation
    if (KEYWORDS.has(id.toLowerCase())) continue;
    names.add(id);
  }
  return { names, selectors, grouping };
}
