import cluster, { type Worker } from "node:cluster";
import { randomBytes } from "node:crypto";
import { AggregatorRegistry } from "@prometheus-io/client";
import type { Logger } from "pino";
import { METRICS_REQ, METRICS_RES } from "../metrics/cluster-metrics.js";
import type { Config } from "./config.js";
import { PEER_TIMEOUT_MS, RECONCILE, RECONCILE_DONE, RECONCILE_REQ, RECONCILE_RES } from "./peers.js";

const RESTART_WINDOW_MS = 60_000;
const MAX_RESTARTS_PER_WINDOW = 5;

/**
 * The primary of a multi-worker server. onnxruntime-node runs inferences synchronously on the
 * JS thread, so one process uses one core for inference; `INFERGATE_WORKERS` processes share the
 * port (node:cluster), each with its own sessions and batcher. The primary loads no model: it
 * forks, restarts crashed workers (bounded), aggregates metrics for whichever worker gets the
 * scrape, and on SIGTERM/SIGINT asks every worker to drain, exiting 0 once all have.
 */
export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  const restarts: number[] = [];

  // Every worker routes a key alike: they share one routing secret (a made one, if none is set).
  const routingSecret = config.routingSecret ?? randomBytes(32).toString("hex");
  const fork = () => cluster.fork({ INFERGATE_WORKER: "1", INFERGATE_ROUTING_SECRET: routingSecret });
  relayReconciles(logger);
  cluster.on("message", (worker: Worker, msg: { type?: string; id?: number }) => {
    if (msg?.type !== METRICS_REQ) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_RES, id: msg.id, text }),
      (err: Error) => worker.send({ type: METRICS_RES, id: msg.id, error: err.message }),
    );
  });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    while (restarts.length && (restarts[0] as number) < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length >= MAX_RESTARTS_PER_WINDOW) {
      logger.fatal({ pid: worker.process.pid, code, signal }, "workers keep crashing; giving up");
      process.exit(1);
    }
    restarts.push(now);
    logger.error({ pid: worker.process.pid, code, signal }, "worker exited unexpectedly; starting a new one");
    fork();
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, "draining workers");
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(check);
        logger.info("all workers stopped");
        process.exit(0);
      }
    }, 50);
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));

  logger.info({ workers: config.workers, port: config.port }, "starting workers");
  for (let i = 0; i < config.workers; i++) fork();
}

type PeerMsg = { type?: string; id?: number; trigger?: string; ok?: boolean; error?: string };

/**
 * Relays an admin change from the worker that applied it to every other worker (peers.ts), and
 * answers that worker with how many applied within PEER_TIMEOUT_MS.
 */
function relayReconciles(logger: Logger): void {
  let nextRelay = 0;
  const relays = new Map<number, (worker: Worker, msg: PeerMsg) => void>();
  cluster.on("message", (worker: Worker, msg: PeerMsg) => {
    if (msg?.type === RECONCILE_DONE) relays.get(msg.id as number)?.(worker, msg);
    if (msg?.type !== RECONCILE_REQ) return;
    const others = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w !== worker);
    const relay = nextRelay++;
    const failed: string[] = [];
    let answered = 0;
    const finish = () => {
      relays.delete(relay);
      clearTimeout(timer);
      const applied = 1 + answered - failed.length;
      if (failed.length)
        logger.warn({ failed, trigger: msg.trigger }, "workers did not apply an admin change");
      worker.send({ type: RECONCILE_RES, id: msg.id, applied, of: others.length + 1, failed });
    };
    const done = new Set<Worker>();
    const timer = setTimeout(() => {
      for (const w of others) if (!done.has(w)) failed.push(`worker ${w.process.pid}: no answer`);
      finish();
    }, PEER_TIMEOUT_MS);
    relays.set(relay, (from, reply) => {
      if (done.has(from)) return;
      done.add(from);
      answered++;
      if (!reply.ok) failed.push(`worker ${from.process.pid}: ${reply.error}`);
      if (done.size === others.length) finish();
    });
    if (others.length === 0) return finish();
    for (const w of others) w.send({ type: RECONCILE, id: relay, trigger: msg.trigger });
  });
}
