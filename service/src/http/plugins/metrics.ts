import * as client from "@prometheus-io/client";
import type { FastifyInstance } from "fastify";
import fastifyMetricsModule from "fastify-metrics";
import type { Metrics } from "../../metrics.js";

// fastify-metrics is CommonJS with an `exports.default`; under NodeNext ESM that lands one level down.
const fastifyMetrics = (fastifyMetricsModule as unknown as { default: typeof fastifyMetricsModule.default })
  .default;

/**
 * HTTP request metrics and Node process metrics from fastify-metrics (default registry), plus
 * the service's own registry, served together on `GET /metrics`.
 */
export async function installMetrics(app: FastifyInstance, metrics: Metrics): Promise<void> {
  await app.register(fastifyMetrics, {
    endpoint: null,
    clearRegisterOnInit: true,
    defaultMetrics: { enabled: true },
    routeMetrics: {
      enabled: { histogram: true, summary: false }, // summaries cost a quantile sketch per request
      registeredRoutesOnly: true,
      groupStatusCodes: false,
      routeBlacklist: ["/metrics", "/v2/health/live", "/v2/health/ready"],
      overrides: {
        histogram: { buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] },
      },
    },
  });
  let merged: client.Registry | undefined;
  app.get(
    "/metrics",
    { schema: { hide: true }, config: { disableMetrics: true } },
    async (_request, reply) => {
      merged ??= client.Registry.merge([client.register, metrics.registry]);
      reply.type(merged.contentType);
      return merged.metrics();
    },
  );
}
