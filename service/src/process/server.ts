import cluster from "node:cluster";
import { setTimeout as sleep } from "node:timers/promises";
import { listenGrpc } from "../grpc/server.js";
import { runPrimary } from "./cluster.js";
import { createService } from "./compose.js";
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./logger.js";

/**
 * The process: config → service → listen → load models; SIGTERM/SIGINT → drain → exit 0.
 * Listening starts before models load so liveness answers during a long download, while
 * readiness stays false until every model is warm. `env` is the process environment (the
 * `infergate serve` command may add the repository it was given).
 */
export async function runServer(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`infergate: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  if (config.workers > 1 && cluster.isPrimary) {
    await runPrimary(config, logger);
    return;
  }
  const service = await createService(config, logger);
  const { app, dataPlane } = service;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, drainTimeoutMs: config.drainTimeoutMs }, "draining");
    dataPlane.startDraining();
    const deadline = sleep(config.drainTimeoutMs).then(() => "timeout" as const);
    const outcome = await Promise.race([service.close().then(() => "drained" as const), deadline]);
    if (outcome === "timeout") {
      logger.warn("drain deadline passed; closing remaining connections");
      app.server.closeAllConnections();
      service.grpc?.forceShutdown();
    }
    logger.info({ outcome }, "stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.on("uncaughtException", (err) => {
    logger.fatal({ err }, "uncaught exception");
    process.exit(1);
  });

  // A single process listens first, so liveness answers during a long download. A cluster
  // worker loads first: the port is shared, and a worker that listened early would take its
  // share of traffic (503s) before its models are warm.
  const listen = async () => {
    await app.listen({ port: config.port, host: config.host });
    if (service.grpc && config.grpcPort !== undefined) {
      const port = await listenGrpc(service.grpc, config.host, config.grpcPort);
      logger.info({ port }, "gRPC server listening");
    }
  };
  if (!cluster.isWorker) await listen();
  logger.info({ repository: service.source.uri, policy: config.versionPolicy }, "loading models");
  await service.start();
  if (cluster.isWorker) await listen();
  logger.info({ ready: dataPlane.ready() }, dataPlane.ready() ? "server ready" : "server up but not ready");
}

/** Runs the server as this process's only job: a start-up failure exits 1 with its stack. */
export function serveProcess(env: NodeJS.ProcessEnv = process.env): void {
  runServer(env).catch((err) => {
    process.stderr.write(`infergate: failed to start: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
