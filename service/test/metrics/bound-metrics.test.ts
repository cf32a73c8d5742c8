import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from "@prometheus-io/client";
import { describe, expect, it } from "vitest";
import { bindCounter, bindGauge, bindHistogram } from "../../src/metrics/bound-metrics.js";

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** The same three metrics in a fresh registry, updated either through bound children or the client. */
function setUp() {
  const registry = new Registry();
  const labelNames = ["model", "version"] as const;
  return {
    registry,
    counter: new Counter({ name: "t_requests_total", help: "h", labelNames, registers: [registry] }),
    gauge: new Gauge({ name: "t_inflight", help: "h", labelNames, registers: [registry] }),
    histogram: new Histogram({
      name: "t_duration_seconds",
      help: "h",
      labelNames,
      buckets: BUCKETS,
      registers: [registry],
    }),
  };
}

// Values on bucket edges, between them, below the first and above the last (+Inf only).
const OBSERVATIONS = [0, 0.0005, 0.001, 0.0010001, 0.05, 0.1, 0.99, 1, 1.5, 42];

describe("bound metric children", () => {
  it("expose exactly what the client's own labelled children expose", async () => {
    const labels = { model: "digits", version: "2" };

    const viaClient = setUp();
    viaClient.counter.inc(labels, 0);
    viaClient.gauge.set(labels, 0);
    viaClient.histogram.zero(labels);
    const c = viaClient.counter.labels("digits", "2");
    const g = viaClient.gauge.labels("digits", "2");
    const h = viaClient.histogram.labels("digits", "2");
    c.inc();
    c.inc(3);
    g.inc();
    g.inc();
    g.dec();
    for (const v of OBSERVATIONS) h.observe(v);

    const bound = setUp();
    const bc = bindCounter(bound.counter, labels);
    const bg = bindGauge(bound.gauge, labels);
    const bh = bindHistogram(bound.histogram, labels);
    bc.inc();
    bc.inc(3);
    bg.inc();
    bg.inc();
    bg.dec();
    for (const v of OBSERVATIONS) bh.observe(v);

    const text = await bound.registry.metrics();
    expect(text).toBe(await viaClient.registry.metrics());
    expect(text).toContain('t_requests_total{model="digits",version="2"} 4');
    expect(text).toContain('t_inflight{model="digits",version="2"} 1');
    expect(text).toContain('t_duration_seconds_bucket{le="0.001",model="digits",version="2"} 3');
    expect(text).toContain('t_duration_seconds_bucket{le="+Inf",model="digits",version="2"} 10');
  });

  it("create their series at zero when bound, and keep separate series apart", async () => {
    const m = setUp();
    const a = bindCounter(m.counter, { model: "digits", version: "1" });
    bindCounter(m.counter, { model: "digits", version: "2" });
    bindGauge(m.gauge, { model: "digits", version: "1" }).set(7);
    a.inc(2);
    const text = await m.registry.metrics();
    expect(text).toContain('t_requests_total{model="digits",version="1"} 2');
    expect(text).toContain('t_requests_total{model="digits",version="2"} 0');
    expect(text).toContain('t_inflight{model="digits",version="1"} 7');
  });

  it("aggregate across registries like the client's children (cluster workers)", async () => {
    const labels = { model: "digits", version: "2" };
    const workers = [setUp(), setUp()];
    workers.forEach((w, i) => {
      bindCounter(w.counter, labels).inc(i + 1);
      bindHistogram(w.histogram, labels).observe(0.05 * (i + 1));
    });
    const merged = await AggregatorRegistry.aggregate(
      await Promise.all(workers.map((w) => w.registry.getMetricsAsJSON())),
    ).metrics();
    expect(merged).toContain('t_requests_total{model="digits",version="2"} 3');
    expect(merged).toContain('t_duration_seconds_bucket{le="0.1",model="digits",version="2"} 2');
    expect(merged).toMatch(/t_duration_seconds_sum\{model="digits",version="2"\} 0\.15/);
  });
});
