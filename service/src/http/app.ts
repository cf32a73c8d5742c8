import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { AppDeps } from "./deps.js";
import { installErrorHandler } from "./error-handler.js";
import { installAdmission } from "./plugins/admission.js";
import { installCompression } from "./plugins/compression.js";
import { installContentTypes } from "./plugins/content-type.js";
import { installMetrics } from "./plugins/metrics.js";
import { installOpenApi } from "./plugins/openapi.js";
import { lazyChildLogger, requestIdGenerator } from "./request-logger.js";
import { adminRoutes } from "./routes/admin.js";
import { healthRoutes } from "./routes/health.js";
import { repositoryRoutes } from "./routes/repository.js";
import { v1PredictRoutes } from "./routes/v1-predict.js";
import { v2ModelRoutes } from "./routes/v2-models.js";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module "fastify" {
  interface FastifyContextConfig {
    /** A readiness probe: its 503 is an answer ("not ready"), not a failed request. */
    probe?: boolean;
  }
}

/**
 * Builds the HTTP app around an existing data plane: plugins, then routes. No listening, no
 * signals (process/server.ts owns the process), so tests use it with `inject()` or on a real port.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, logger, metrics, dataPlane } = deps;
  const newRequestId = requestIdGenerator();
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    // Slow clients hold sockets: the request must arrive in time, idle connections are closed.
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    maxRequestsPerSocket: config.http.maxRequestsPerSocket,
    // Node checks the header and request timeouts every connectionsCheckingInterval (30 s by
    // default): every second, so a slow client is cut close to its deadline.
    http: { headersTimeout: config.http.headersTimeoutMs, connectionsCheckingInterval: 1_000 },
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Honour a caller's x-request-id (if sane) so logs can be joined across services.
    genReqId: (req) => {
      const incoming = req.headers["x-request-id"];
      return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : newRequestId();
    },
    childLoggerFactory: lazyChildLogger,
  });

  // Hooks in callback style: on the predict path an async hook costs a promise per request.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    // While draining, tell keep-alive clients to reconnect (to another pod) after this answer.
    if (dataPlane.isDraining) reply.header("connection", "close");
    done();
  });
  // One access line per failed request; successes only at debug level (they are in the metrics).
  const logSuccesses = logger.isLevelEnabled("debug");
  app.addHook("onResponse", (request, reply, done) => {
    const status = reply.statusCode;
    if (status < 400 && !logSuccesses) return done();
    const line = {
      method: request.method,
      url: request.url,
      status,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (config.logPayloads && status >= 400) Object.assign(line, { body: request.body });
    // Probes answer 503 all through start-up and draining; that is their job, not an error.
    if (status === 503 && request.routeOptions.config.probe === true)
      request.log.debug(line, "probe: not ready");
    else if (status >= 500) request.log.error(line, "request failed");
    else if (status >= 400) request.log.info(line, "request rejected");
    else request.log.debug(line, "request completed");
    done();
  });

  installErrorHandler(app, config.bodyLimitBytes);
  installAdmission(app, config, metrics);
  installContentTypes(app);
  await installCompression(app);
  if (config.docs) await installOpenApi(app);
  await installMetrics(app, metrics);
  await app.register(healthRoutes, { dataPlane });
  const routingKeyHeader = config.routingKeyHeader;
  await app.register(v2ModelRoutes, { dataPlane, routingKeyHeader });
  await app.register(v1PredictRoutes, { dataPlane, routingKeyHeader });
  await app.register(repositoryRoutes, { dataPlane, adminToken: config.adminToken });
  // Without a token the admin API does not exist (404), rather than existing unprotected.
  if (config.adminToken) await app.register(adminRoutes, { ...deps, adminToken: config.adminToken });
  return app;
}
