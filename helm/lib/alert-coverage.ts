/**
 * Which alerts of a Prometheus rule file have promtool unit tests where they fire (non-empty
 * exp_alerts) and where they stay quiet (exp_alerts: []), and which unit tests name an alert the
 * rule file does not have.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

type RuleFile = { groups: { rules: { alert?: string; record?: string }[] }[] };
type UnitTests = { tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[] };

export type AlertCoverage = { alert: string; fires: boolean; quiet: boolean };

export function alertNames(rulesFile: string): string[] {
  const rules = parse(readFileSync(rulesFile, "utf8")) as RuleFile;
  return rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
}

function alertCases(testFile: string) {
  return (parse(readFileSync(testFile, "utf8")) as UnitTests).tests.flatMap((t) => t.alert_rule_test ?? []);
}

export function alertCoverage(rulesFile: string, testFile: string): AlertCoverage[] {
  const cases = alertCases(testFile);
  return alertNames(rulesFile).map((alert) => {
    const mine = cases.filter((c) => c.alertname === alert);
    return {
      alert,
      fires: mine.some((c) => (c.exp_alerts ?? []).length > 0),
      quiet: mine.some((c) => (c.exp_alerts ?? []).length === 0),
    };
  });
}

/** Alert names the unit tests use that the rule file does not define (a renamed or removed alert). */
export function unknownAlerts(rulesFile: string, testFile: string): string[] {
  const known = new Set(alertNames(rulesFile));
  return alertCases(testFile)
    .map((c) => c.alertname)
    .filter((name) => !known.has(name));
}
