import Fastify from "fastify";

/**
 * Baseline: a bare Fastify server whose POST /echo parses the JSON body and sends it back. It
 * is the HTTP + JSON limit of this machine: no validation, no model, no metrics, no logs.
 */
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
app.post("/echo", async (request) => request.body);
app.get("/ready", async () => ({ ready: true }));
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
// Exit normally on SIGTERM (run.ts stops servers so), so `node --cpu-prof` can write its profile.
process.once("SIGTERM", () => process.exit(0));
