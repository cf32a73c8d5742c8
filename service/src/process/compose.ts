import { randomBytes } from "node:crypto";
import type { Server as GrpcServer } from "@grpc/grpc-js";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { DataPlane } from "../core/data-plane.js";
import { ModelLoader } from "../core/model-loader.js";
import { ModelRegistry } from "../core/model-registry.js";
import { Reconciler } from "../core/reconciler.js";
import { ShadowRunner } from "../core/shadow.js";
import { closeGrpc, createGrpcServer } from "../grpc/server.js";
import { buildApp } from "../http/app.js";
import { Metrics } from "../metrics/service-metrics.js";
import { createSource } from "../repository/create-source.js";
import type { ModelSource } from "../repository/source.js";
import type { Config } from "./config.js";
import { createLogger } from "./logger.js";
import { workerPeers } from "./peers.js";

export type Service = {
  app: FastifyInstance;
  /** The Open Inference Protocol over gRPC (config.grpcPort set); process/server.ts binds it. */
  grpc: GrpcServer | undefined;
  reconciler: Reconciler;
  /** Loads what the repository asks for, then lets readiness turn true and starts polling. */
  start(): Promise<void>;
  dataPlane: DataPlane;
  registry: ModelRegistry;
  loader: ModelLoader;
  source: ModelSource;
  metrics: Metrics;
  logger: Logger;
  /** Stops HTTP and gRPC (waiting for in-flight requests) and releases every session. */
  close(): Promise<void>;
};

/**
 * The secret that keys sticky canary routing: the configured one (the chart sets one per release,
 * so every pod routes a key alike), else one made when the process starts (cluster.ts hands the
 * primary's to its workers), so a client can never compute which side its key lands on.
 */
function routingSecretOf(config: Config): string {
  return config.routingSecret ?? randomBytes(32).toString("hex");
}

/**
 * Wires the parts together: source → loader → registry → data plane → HTTP app (and gRPC server). Models are not
 * loaded here; call `start()` (process/server.ts does, after it starts listening, so liveness answers
 * while large models download).
 */
export async function createService(config: Config, logger: Logger = createLogger(config)): Promise<Service> {
  const metrics = new Metrics(config.track);
  const registry = new ModelRegistry(routingSecretOf(config));
  const source = createSource(config);
  const loader = new ModelLoader({ source, registry, metrics, logger, config });
  const dataPlane = new DataPlane(registry, new ShadowRunner(config.shadowQueueSize, metrics));
  const reconciler = new Reconciler({ source, registry, loader, metrics, logger, config });
  const peers = workerPeers(reconciler);
  const app = await buildApp({ config, logger, metrics, dataPlane, reconciler, source, peers });
  const grpc =
    config.grpcPort === undefined ? undefined : createGrpcServer({ dataPlane, logger, metrics, config });
  const start = async () => {
    await reconciler.reconcile("startup");
    dataPlane.markStarted();
    reconciler.start();
  };
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      dataPlane.startDraining();
      reconciler.stop();
      // Node closes only the connections idle at close(); keep-alive sockets that finish their
      // in-flight request afterwards would hold the drain open until their keep-alive timeout.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await Promise.all([app.close(), grpc && closeGrpc(grpc)]);
      } finally {
        clearInterval(sweep);
      }
      await Promise.allSettled(registry.readyVersions().map((v) => v.release()));
      (source as { destroy?: () => void }).destroy?.();
    })();
    return closed;
  };
  return { app, grpc, reconciler, start, dataPlane, registry, loader, source, metrics, logger, close };
}
