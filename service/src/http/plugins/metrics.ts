import cluster from "node:cluster";
import * as client from "@prometheus-io/client";
import type { FastifyInstance } from "fastify";
import fastifyMetricsModule from "fastify-metrics";
import { clusterMetrics, shareWorkerMetrics } from "../../metrics/cluster-metrics.js";
import type { Metrics } from "../../metrics/service-metrics.js";
import { installRouteMetrics } from "./route-metrics.js";

// fastify-metrics is CommonJS with an `exports.default`; under NodeNext ESM that lands one level down.
const fastifyMetrics = (fastifyMetricsModule as unknown as { default: typeof fastifyMetricsModule.default })
  .default;

const NONCONFORMING_DEFAULTS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
  // @prometheus-io/client 0.16's event-loop utilisation pair, named after their own types.
  "nodejs_eventloop_utilization_histogram",
  "nodejs_eventloop_utilization_summary",
];

/**
 * Node process metrics from fastify-metrics (default registry), HTTP route metrics (see
 * route-metrics.ts) and the service's own registry, served together on `GET /metrics`.
 */
export async function installMetrics(app: FastifyInstance, metrics: Metrics): Promise<void> {
  await app.register(fastifyMetrics, {
    endpoint: null,
    clearRegisterOnInit: true,
    defaultMetrics: { enabled: true },
    routeMetrics: { enabled: false },
  });
  installRouteMetrics(app, client.register, ["/metrics", "/v2/health/live", "/v2/health/ready"]);
  // Default collectors that break Prometheus naming rules (gauges ending in _total, names that
  // include their type): `promtool check metrics` flags them. The first three have well-named
  // twins we keep (nodejs_active_handles, nodejs_active_requests, nodejs_active_resources); the
  // event loop stays measured by nodejs_eventloop_lag_*.
  for (const name of NONCONFORMING_DEFAULTS) client.register.removeSingleMetric(name);
  let merged: client.Registry | undefined;
  if (cluster.isWorker) shareWorkerMetrics([client.register, metrics.registry]);
  app.get(
    "/metrics",
    { schema: { hide: true }, config: { disableMetrics: true } },
    async (_request, reply) => {
      reply.type(client.register.contentType);
      // With several workers, one scrape must see the whole server: the primary aggregates.
      if (cluster.isWorker) return clusterMetrics();
      merged ??= client.Registry.merge([client.register, metrics.registry]);
      return merged.metrics();
    },
  );
}
