/**
 * Monitoring wiring where an environment turns it on: the ServiceMonitor scrapes the pods once,
 * the PrometheusRule ships files/prometheus-rules.yaml, the dashboard ConfigMap carries
 * files/dashboard.json for the Grafana sidecar; and the ServiceMonitor's optional `track` relabel.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { chartFile, matches, type Rendered, renderChart } from "../lib/chart.js";
import { renderScenario, SCENARIOS } from "../lib/scenarios.js";
import { required } from "../lib/workload.js";

const rulesFile = parse(chartFile("files/prometheus-rules.yaml")) as { groups: unknown[] };
const dashboardFile = JSON.parse(chartFile("files/dashboard.json")) as unknown;
const SHIPPED_ALERTS = [
  "InfergateHighErrorRate",
  "InfergateLatencySLOBurnFast",
  "InfergateNoReadyModel",
  "InfergateModelLoadFailures",
  "InfergateQueueSaturated",
];

const monitored = SCENARIOS.filter((s) => {
  const m = s.values.metrics;
  return m.serviceMonitor.enabled || m.prometheusRule.enabled || m.dashboard.enabled;
});

describe.each(monitored.map((s) => [s.name, s] as const))("%s", (_name, s) => {
  let r: Rendered;
  beforeAll(async () => {
    r = await renderScenario(s);
  });

  if (s.values.metrics.serviceMonitor.enabled) {
    it("ServiceMonitor selects exactly one Service (pods scraped once)", () => {
      const sm = required(r, "ServiceMonitor");
      const selected = r
        .find("Service")
        .filter((svc) => matches(sm.spec.selector.matchLabels, svc.metadata.labels));
      expect(selected.map((svc) => svc.metadata.name)).toEqual(["infergate"]);
    });
    it("ServiceMonitor scrapes /metrics on port http", () => {
      expect(required(r, "ServiceMonitor").spec.endpoints[0]).toMatchObject({
        port: "http",
        path: "/metrics",
      });
    });
  }

  if (s.values.metrics.prometheusRule.enabled) {
    it("PrometheusRule groups equal files/prometheus-rules.yaml", () => {
      expect(required(r, "PrometheusRule").spec.groups).toEqual(rulesFile.groups);
    });
    it.each(SHIPPED_ALERTS)("alert %s shipped", (alert) => {
      const groups = required(r, "PrometheusRule").spec.groups as { rules: { alert?: string }[] }[];
      expect(groups.flatMap((g) => g.rules.map((rule) => rule.alert))).toContain(alert);
    });
  }

  if (s.values.metrics.dashboard.enabled) {
    it("dashboard ConfigMap has the sidecar label and the dashboard JSON", () => {
      const dash = required(r, "ConfigMap", "infergate-dashboard");
      expect(dash.metadata.labels?.grafana_dashboard).toBe("1");
      expect(JSON.parse(dash.data["infergate.json"])).toEqual(dashboardFile);
    });
  }
});

it("ServiceMonitor can take `track` from the live pod label", async () => {
  const r = await renderChart([
    ...[
      "--set",
      "metrics.serviceMonitor.enabled=true",
      "--set",
      "metrics.serviceMonitor.trackFromPodLabel=true",
    ],
  ]);
  const relabel = required(r, "ServiceMonitor").spec.endpoints[0].relabelings.find(
    (x: { targetLabel: string }) => x.targetLabel === "track",
  );
  expect(relabel?.sourceLabels).toEqual(["__meta_kubernetes_pod_label_track"]);
});
