import type { SamplesMetric } from "./schema.js";

/**
 * PromQL from the definition's query templates: the judgement queries the CLI runs per track, and
 * the fast-fail queries the chart's AnalysisTemplate renders, with numbers printed as Helm prints
 * them so the two strings are equal.
 */

/** Fills a judgement query's placeholders, exactly as the chart's template does (literal replace). */
export function renderQuery(
  template: string,
  values: { track: string; selector: string; range: string },
): string {
  return template
    .trim()
    .replaceAll("{{track}}", values.track)
    .replaceAll("{{selector}}", values.selector)
    .replaceAll("{{range}}", values.range);
}

/** A number as Go's fmt %v prints a float64 (what Helm renders for numbers read with fromYaml). */
export function formatGoFloat(n: number): string {
  if (n === 0 || !Number.isFinite(n)) return String(n);
  const [mantissa = "", expText = "0"] = n.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return String(n);
}

/**
 * The fast-fail PromQL of a samples metric: the window's effect (canary vs stable), 0 while
 * either track has fewer than minSamples (or no traffic at all), so an idle canary passes and the
 * numbers match the CLI's. The chart builds the same string (templates/analysistemplate.yaml);
 * the drift test holds them equal.
 */
export function fastFailQuery(
  m: SamplesMetric,
  args: { selector: string; range: string; canary?: string; stable?: string },
): string {
  const q = (template: string, track: string) =>
    renderQuery(template, { track, selector: args.selector, range: args.range });
  const c = q(m.query, args.canary ?? "canary");
  const s = q(m.query, args.stable ?? "stable");
  const min = formatGoFloat(m.minSamples);
  const guard = `\nand on() (\n${q(m.count, args.canary ?? "canary")}\n) >= ${min}\nand on() (\n${q(m.count, args.stable ?? "stable")}\n) >= ${min}\nor on() vector(0)`;
  if (m.effect === "difference") {
    return `((\n${c}\n) - ((\n${s}\n) >= -Inf or on() vector(0))) >= -Inf${guard}`;
  }
  const floor = formatGoFloat(m.floor);
  return `(clamp_min(\n${c}\n, ${floor}) / clamp_min(\n${s}\n, ${floor})) >= 0${guard}`;
}

/** Argo Rollouts successCondition of a fast-fail metric. */
export function fastFailCondition(m: SamplesMetric): string {
  return `result[0] <= ${formatGoFloat(m.hardLimit ?? 0)}`;
}
