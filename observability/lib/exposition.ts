/**
 * The Prometheus text exposition format, read as the metric checks need it: per family its type,
 * label names, histogram buckets and number of series.
 */

export type Family = { type: string; labels: Set<string>; les: Set<number>; series: number };

/** Map name -> family. Sample lines are attributed to their family (histogram _bucket/_sum/_count, summary _sum/_count). */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const lines = text.split("\n");
  for (const line of lines) {
    const t = /^# TYPE ([A-Za-z_:][A-Za-z0-9_:]*) (\w+)/.exec(line);
    if (t)
      families.set(t[1] as string, { type: t[2] as string, labels: new Set(), les: new Set(), series: 0 });
  }
  for (const line of lines) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!m) continue;
    const name = m[1] as string;
    const fam = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ""));
    if (!fam) continue;
    fam.series++;
    for (const [, label, value = ""] of (m[3] ?? "").matchAll(
      /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
    )) {
      if (label === "le") fam.les.add(Number(value));
      else if (label !== "quantile" && label) fam.labels.add(label);
    }
  }
  return families;
}

/** Resolves a referenced series name to its exported family, or null. */
export function familyOf(
  name: string,
  families: Map<string, Family>,
): { family: string; info: Family } | null {
  const exact = families.get(name);
  if (exact) return { family: name, info: exact };
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  const info = m ? families.get(m[1] as string) : undefined;
  if (!m || !info) return null;
  const fits =
    m[2] === "bucket" ? info.type === "histogram" : info.type === "histogram" || info.type === "summary";
  return fits ? { family: m[1] as string, info } : null;
}
