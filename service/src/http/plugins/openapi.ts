import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { SERVER_NAME, SERVER_VERSION } from "../../core/data-plane.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** OpenAPI-only schemas of a route (not used for validation or serialization). */
    docs?: Record<string, unknown>;
  }
}

/**
 * The OpenAPI document of the server's own routes (`/docs/json`) and a docs UI (`/docs`).
 * Hot routes carry their request/response schemas in `config.docs`, moved into the document
 * here, so documenting them adds no per-request validation or serialization cost.
 */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: SERVER_NAME,
        version: SERVER_VERSION,
        description: "Open Inference Protocol (KServe V2) REST API and a V1 predict API over ONNX Runtime.",
      },
      tags: [
        { name: "health", description: "Liveness and readiness" },
        { name: "models", description: "Model metadata and readiness" },
        { name: "inference", description: "Predictions" },
      ],
    },
    transform: ({ schema, url, route }) => {
      const docs = (route.config as { docs?: Record<string, unknown> } | undefined)?.docs;
      return { schema: { ...(schema ?? {}), ...(docs ?? {}) } as typeof schema, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
}
