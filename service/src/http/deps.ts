import type { Logger } from "pino";
import type { DataPlane } from "../core/data-plane.js";
import type { Reconciler } from "../core/reconciler.js";
import type { Metrics } from "../metrics/service-metrics.js";
import type { ModelSource } from "../repository/source.js";

/** What the HTTP app takes from the server's settings. */
export type HttpSettings = Readonly<{
  bodyLimitBytes: number;
  docs: boolean;
  logPayloads: boolean;
  routingKeyHeader: string;
  adminToken: string | undefined;
}>;

export type AppDeps = Readonly<{
  config: HttpSettings;
  logger: Logger;
  metrics: Metrics;
  dataPlane: DataPlane;
  reconciler: Reconciler;
  source: ModelSource;
}>;
