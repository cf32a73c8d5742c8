import type { FastifyInstance } from "fastify";
import type { DataPlane } from "../../core/data-plane.js";

/** Liveness, readiness and server metadata (Open Inference Protocol health + metadata APIs). */
export async function healthRoutes(app: FastifyInstance, opts: { dataPlane: DataPlane }): Promise<void> {
  const { dataPlane } = opts;
  const tags = ["health"];
  const readyBody = { type: "object", properties: { ready: { type: "boolean" } } } as const;

  // Live stays true while draining: the process is healthy, it is only leaving.
  app.get(
    "/v2/health/live",
    {
      schema: {
        tags,
        summary: "Server live",
        response: { 200: { type: "object", properties: { live: { type: "boolean" } } } },
      },
    },
    async () => ({ live: dataPlane.live() }),
  );

  app.get(
    "/v2/health/ready",
    {
      schema: {
        tags,
        summary: "Server ready (all models ready)",
        response: { 200: readyBody, 503: readyBody },
      },
      config: { probe: true },
    },
    async (_request, reply) => {
      const ready = dataPlane.ready();
      return reply.code(ready ? 200 : 503).send({ ready });
    },
  );

  const metadataSchema = {
    tags,
    summary: "Server metadata",
    response: {
      200: {
        type: "object",
        properties: {
          name: { type: "string" },
          version: { type: "string" },
          extensions: { type: "array", items: { type: "string" } },
        },
      },
    },
  };
  app.get("/v2", { schema: metadataSchema }, async () => dataPlane.serverMetadata());
  app.get("/v2/", { schema: { ...metadataSchema, hide: true } }, async () => dataPlane.serverMetadata());
}
