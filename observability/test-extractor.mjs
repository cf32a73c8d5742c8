#!/usr/bin/env node
// Unit test of the PromQL name extractor and of check-metric-names.mjs against the
// hand-made fixture scrape (fixtures/metrics.txt). Prints one line per check.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyse, substitute } from "./lib/promql.mjs";

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} extractor: ${name}${ok || !detail ? "" : ` -- ${detail}`}`);
}
const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

const cases = [
  ['sum by (le, model) (rate(foo_bucket{le="0.25", a=~"x|y"}[5m])) / on() group_left bar offset 5m > 0.5 or on() vector(0)', ["foo_bucket", "bar"], ["le", "model"]],
  ['{__name__="baz", job="x"} unless ignoring(pod) qux', ["baz", "qux"], ["pod"]],
  ["histogram_quantile(0.95, sum without (instance) (rate(h_bucket[1m]))) > 1e-3 and inf > NaN", ["h_bucket"], ["instance"]],
  ['label_replace(up, "dst", "$1 and or sum", "src", "(.*)") * count_over_time(up[5m:1m] @ 1609746000)', ["up"], []],
  ["max_over_time(deriv(rate(distance_covered_total[5s])[30s:5s])[10m:])", ["distance_covered_total"], []],
  ["a:recorded:rate5m > bool 0.1", ["a:recorded:rate5m"], []],
];
for (const [expr, names, grouping] of cases) {
  const r = analyse(expr);
  check(`names of ${expr.slice(0, 48)}...`, same(r.names, names), `got ${[...r.names]}`);
  check(`grouping of ${expr.slice(0, 40)}...`, same(r.grouping, grouping), `got ${[...r.grouping]}`);
}
check("placeholders substituted", substitute('x{job="{{args.job}}"}[{{ args.window }}] $model ${job} $__rate_interval') === 'x{job="infergate"}[5m] digits infergate 5m');
check("canary judgement placeholders substituted", substitute('x{track="{{track}}", {{selector}}}[{{range}}]') === 'x{track="canary", model="digits"}[5m]');
let threw = false;
try {
  substitute("{{args.nope}}");
} catch {
  threw = true;
}
check("unknown placeholder rejected", threw);

// check-metric-names.mjs against the fixture and broken variants of it
const fixture = readFileSync(new URL("./fixtures/metrics.txt", import.meta.url), "utf8");
const dir = mkdtempSync(join(tmpdir(), "infergate-extractor-"));
function run(text, extra = []) {
  const f = join(dir, `m${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(f, text);
  const r = spawnSync(process.execPath, ["observability/check-metric-names.mjs", "--metrics-file", f, ...extra], { encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}
const good = run(fixture);
check("fixture scrape passes", good.code === 0, good.out);
// A contract entry flagged pending is reported, not failed, while the scrape lacks it.
const contract = join(dir, "contract.yaml");
writeFileSync(
  contract,
  readFileSync(new URL("./metrics-contract.yaml", import.meta.url), "utf8").replace(
    "infergate_queue_depth: {type: gauge, labels: [model, version]}",
    "infergate_queue_depth: {type: gauge, labels: [model, version], pending: true}",
  ),
);
const pendingRun = run(fixture.replace(/^.*infergate_queue_depth.*$/gm, ""), ["--contract", contract]);
check("pending metrics reported", pendingRun.code === 0 && /PENDING infergate_queue_depth/.test(pendingRun.out), pendingRun.out);
const noReady = run(fixture.replace(/^.*infergate_model_ready.*$/gm, ""));
check("missing metric fails", noReady.code === 1 && /infergate_model_ready is not exported/.test(noReady.out), noReady.out);
const relabelled = run(fixture.replaceAll('outcome="', 'result="'));
check("renamed label fails", relabelled.code === 1 && /no label "outcome"/.test(relabelled.out), relabelled.out);
const noBucket = run(fixture.replace(/^infergate_inference_duration_seconds_bucket\{le="0.25".*$/m, ""));
check("missing le bucket fails", noBucket.code === 1 && /le="0.25"\} is not a bucket/.test(noBucket.out), noBucket.out);
const notScrape = run("hello\n");
check("non-scrape input fails", notScrape.code === 1);

console.log(`extractor: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
