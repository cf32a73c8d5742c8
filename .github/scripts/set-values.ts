/**
 * Sets keys in a Helm values file for a GitOps change, keeping comments, order and quoting.
 *
 *   npx tsx .github/scripts/set-values.ts --file helm/infergate/values-dev.yaml \
 *     --set image.tag=3f2c... [--set config.versionPolicy=specific:3 ...]
 *
 * Values are written as quoted strings. Only existing scalar keys may be changed (a typo must not
 * add a key the chart ignores; the chart's schema forbids unknown keys anyway). Prints "changed"
 * or "unchanged" per key and exits 0; exits 2 on a usage error or a missing key.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { isScalar, parseDocument } from "yaml";

function fail(message: string): never {
  process.stderr.write(`set-values: ${message}\n`);
  process.exit(2);
}

function options(): { file: string; set: string[] } {
  try {
    const { values } = parseArgs({
      options: { file: { type: "string" }, set: { type: "string", multiple: true, default: [] } },
      strict: true,
    });
    if (!values.file || values.set.length === 0)
      fail("usage: --file <values.yaml> --set key.path=value [--set ...]");
    return { file: values.file, set: values.set };
  } catch (err) {
    return fail((err as Error).message);
  }
}

const { file, set } = options();
const text = readFileSync(file, "utf8");
const doc = parseDocument(text);
if (doc.errors.length > 0) fail(`${file}: ${doc.errors[0]?.message}`);

// Edit the source text of each scalar in place (no re-serialisation: every other byte stays).
const edits: { start: number; end: number; source: string }[] = [];
const wanted: { path: string[]; value: string }[] = [];
for (const pair of set) {
  const eq = pair.indexOf("=");
  if (eq <= 0) fail(`--set ${pair}: expected key.path=value`);
  const path = pair.slice(0, eq).split(".");
  const value = pair.slice(eq + 1);
  const node = doc.getIn(path, true);
  if (!isScalar(node) || !node.range) fail(`${file}: ${path.join(".")} is not an existing scalar key`);
  // Quoted, so Helm (YAML 1.1) never reads a tag like 1e100 as a number or "on" as a boolean.
  const source = node.type === "QUOTE_SINGLE" ? `'${value.replace(/'/g, "''")}'` : JSON.stringify(value);
  edits.push({ start: node.range[0], end: node.range[1], source });
  wanted.push({ path, value });
  process.stdout.write(
    `${path.join(".")}: ${node.value === value ? "unchanged" : `changed ${node.value} -> ${value}`}\n`,
  );
}
let out = text;
for (const e of edits.sort((a, b) => b.start - a.start))
  out = out.slice(0, e.start) + e.source + out.slice(e.end);
const check = parseDocument(out);
for (const w of wanted) {
  if (check.getIn(w.path) !== w.value) fail(`internal error: ${w.path.join(".")} did not take the new value`);
}
writeFileSync(file, out);
