import { Registry } from "@prometheus-io/client";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { installRouteMetrics } from "../../../src/http/plugins/route-metrics.js";

async function appWithRoutes() {
  const registry = new Registry();
  const app = Fastify();
  installRouteMetrics(app, registry, ["/health"]);
  const seen: string[] = [];
  app.get("/health", async () => ({ ok: true }));
  app.post("/items/:id", async (request, reply) => {
    const { id } = request.params as { id: string };
    return id === "bad" ? reply.code(400).send({ error: "bad id" }) : { id };
  });
  app.route({
    method: ["GET", "PUT"],
    url: "/both",
    handler: async () => ({}),
    // A route's own onResponse hook keeps running beside the metrics one.
    onResponse: (_request, _reply, done) => {
      seen.push("own hook");
      done();
    },
  });
  app.get("/quiet", { config: { disableMetrics: true } }, async () => ({}));
  await app.ready();
  return { app, registry, seen };
}

describe("route metrics", () => {
  it("records registered routes by method, route pattern and status, like fastify-metrics", async () => {
    const { app, registry, seen } = await appWithRoutes();
    for (const id of ["a", "b", "bad"]) await app.inject({ method: "POST", url: `/items/${id}` });
    await app.inject({ method: "GET", url: "/both" });
    await app.inject({ method: "PUT", url: "/both" });
    await app.inject({ method: "HEAD", url: "/both" });
    await app.inject({ method: "GET", url: "/health" });
    await app.inject({ method: "GET", url: "/quiet" });
    await app.inject({ method: "GET", url: "/nowhere" });
    const text = await registry.metrics();
    const count = (labels: string) =>
      Number(new RegExp(`^http_request_duration_seconds_count\\{${labels}\\} (\\d+)$`, "m").exec(text)?.[1]);
    expect(count('method="POST",route="/items/:id",status_code="200"')).toBe(2);
    expect(count('method="POST",route="/items/:id",status_code="400"')).toBe(1);
    expect(count('method="GET",route="/both",status_code="200"')).toBe(1);
    expect(count('method="PUT",route="/both",status_code="200"')).toBe(1);
    expect(text).not.toMatch(/method="HEAD"|route="\/health"|route="\/quiet"|nowhere/);
    expect(seen).toEqual(["own hook", "own hook", "own hook"]); // GET, PUT and HEAD
    await app.close();
  });

  it("puts each duration in its bucket (seconds)", async () => {
    const { app, registry } = await appWithRoutes();
    await app.inject({ method: "POST", url: "/items/a" });
    const text = await registry.metrics();
    const sum = Number(/^http_request_duration_seconds_sum\{[^}]*\} (\S+)$/m.exec(text)?.[1]);
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(1);
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="5",method="POST",route="\/items\/:id",status_code="200"\} 1/,
    );
    await app.close();
  });
});
