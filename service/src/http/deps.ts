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
  /** Bytes of request bodies admitted at once (plugins/admission.ts). */
  memoryBudgetBytes: number;
  http: Readonly<{
    /** The whole request header must arrive within this (slow-header clients are cut). */
    headersTimeoutMs: number;
    /** The whole request, body included, must arrive within this. */
    requestTimeoutMs: number;
    /** An idle keep-alive connection is closed after this. */
    keepAliveTimeoutMs: number;
    /** Requests one connection may carry before the server closes it (0: no limit). */
    maxRequestsPerSocket: number;
  }>;
}>;

/** How many workers applied an admin change (this one included), and which failed. */
export type PeersReport = { applied: number; of: number; failed: string[] };

/** The server's other workers: they apply an admin change before the call returns. */
export type Peers = Readonly<{
  /** Has every other worker reconcile with the repository; resolves with how many did. */
  reconcileOthers(trigger: string): Promise<PeersReport>;
}>;

export type AppDeps = Readonly<{
  config: HttpSettings;
  logger: Logger;
  metrics: Metrics;
  dataPlane: DataPlane;
  reconciler: Reconciler;
  source: ModelSource;
  peers: Peers;
}>;
