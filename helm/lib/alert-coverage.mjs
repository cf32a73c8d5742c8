#!/usr/bin/env node
// Every alert in the rules file must have a promtool unit test where it fires (non-empty
// exp_alerts) and one where it stays quiet (exp_alerts: []).
// Usage: node helm/lib/alert-coverage.mjs RULES_FILE TEST_FILE
import { readFileSync } from "node:fs";
import { parse } from "yaml";

const [rulesFile, testFile] = process.argv.slice(2);
const alerts = parse(readFileSync(rulesFile, "utf8")).groups.flatMap((g) => g.rules.filter((r) => r.alert).map((r) => r.alert));
const cases = parse(readFileSync(testFile, "utf8")).tests.flatMap((t) => t.alert_rule_test ?? []);
let passed = 0;
let failed = 0;
for (const a of alerts) {
  const fires = cases.some((c) => c.alertname === a && (c.exp_alerts ?? []).length > 0);
  const quiet = cases.some((c) => c.alertname === a && (c.exp_alerts ?? []).length === 0);
  const ok = fires && quiet;
  ok ? passed++ : failed++;
  console.log(`${ok ? "ok  " : "FAIL"} alert ${a} has unit tests that fire (${fires}) and stay quiet (${quiet})`);
}
for (const c of cases) {
  if (!alerts.includes(c.alertname)) {
    failed++;
    console.log(`FAIL unit test names unknown alert ${c.alertname}`);
  }
}
console.log(`alert coverage: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
