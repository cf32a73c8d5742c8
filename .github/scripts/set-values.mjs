#!/usr/bin/env node
// Sets keys in a Helm values file for a GitOps change, keeping comments, order and quoting.
//
//   node .github/scripts/set-values.mjs --file helm/infergate/values-dev.yaml \
//     --set image.tag=3f2c... [--set config.versionPolicy=specific:3 ...]
//
// Values are written as quoted strings. Only existing scalar keys may be changed (a typo must not add a key the chart ignores; the
// chart's schema forbids unknown keys anyway). Prints "changed" or "unchanged" per key and
// exits 0; exits 2 on a usage error or a missing key.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { isScalar, parseDocument } from "yaml";

function fail(message) {
  process.stderr.write(`set-values: ${message}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: { file: { type: "string" }, set: { type: "string", multiple: true, default: [] } },
      strict: true,
    });
  } catch (err) {
    return fail(err.message);
  }
})();
if (!values.file || values.set.length === 0) fail("usage: --file <values.yaml> --set key.path=value [--set ...]");

const text = readFileSync(values.file, "utf8");
const doc = parseDocument(text);
if (doc.errors.length > 0) fail(`${values.file}: ${doc.errors[0].message}`);

// Edit the source text of each scalar in place (no re-serialisation: every other byte stays).
const edits = [];
const wanted = [];
for (const pair of values.set) {
  const eq = pair.indexOf("=");
  if (eq <= 0) fail(`--set ${pair}: expected key.path=value`);
  const path = pair.slice(0, eq).split(".");
  const value = pair.slice(eq + 1);
  const node = doc.getIn(path, true);
  if (!isScalar(node) || !node.range) fail(`${values.file}: ${path.join(".")} is not an existing scalar key`);
  let source;
  // Quoted, so Helm (YAML 1.1) never reads a tag like 1e100 as a number or "on" as a boolean.
  if (node.type === "QUOTE_SINGLE") source = `'${value.replace(/'/g, "''")}'`;
  else source = JSON.stringify(value);
  edits.push({ start: node.range[0], end: node.range[1], source });
  wanted.push({ path, value });
  process.stdout.write(`${path.join(".")}: ${node.value === value ? "unchanged" : `changed ${node.value} -> ${value}`}\n`);
}
let out = text;
for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.source + out.slice(e.end);
const check = parseDocument(out);
for (const w of wanted) {
  if (check.getIn(w.path) !== w.value) fail(`internal error: ${w.path.join(".")} did not take the new value`);
}
writeFileSync(values.file, out);
