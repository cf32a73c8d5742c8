/**
 * The worker side of cluster-wide metrics: with several worker processes, one scrape must see the
 * whole server, so a worker asks the primary (process/cluster.ts), which aggregates every
 * worker's registries over IPC.
 */
import { AggregatorRegistry } from "@prometheus-io/client";

export const METRICS_REQ = "infergate:metrics-req";
export const METRICS_RES = "infergate:metrics-res";

type MetricsRes = { type: typeof METRICS_RES; id: number; text?: string; error?: string };

let nextId = 0;
const pending = new Map<number, { resolve: (t: string) => void; reject: (e: Error) => void }>();
let listening = false;

/** In a worker: the whole server's metrics, aggregated by the primary over IPC. */
export function clusterMetrics(timeoutMs = 5_000): Promise<string> {
  if (!listening) {
    listening = true;
    process.on("message", (msg: MetricsRes) => {
      if (msg?.type !== METRICS_RES) return;
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error !== undefined) p?.reject(new Error(msg.error));
      else p?.resolve(msg.text ?? "");
    });
  }
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error("primary did not answer the metrics request"));
    }, timeoutMs);
    pending.set(id, {
      resolve: (t) => {
        clearTimeout(timer);
        resolve(t);
      },
      reject: (e) => {
        clearTimeout(timer);
        reject(e);
      },
    });
    process.send?.({ type: METRICS_REQ, id });
  });
}

/** In a worker: lets the primary's aggregator read this worker's registries. */
export function shareWorkerMetrics(registries: Parameters<typeof AggregatorRegistry.setRegistries>[0]): void {
  new AggregatorRegistry(); // registers the worker-side listener
  AggregatorRegistry.setRegistries(registries);
}
