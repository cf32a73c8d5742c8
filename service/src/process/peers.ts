/**
 * The other workers of a multi-worker server, for the admin API: a change one worker applies must
 * be applied by every worker before the call returns (each holds its own registry). The worker
 * asks the primary (cluster.ts relays), every other worker reconciles with the repository and
 * acknowledges, and the call reports how many applied. A single process has no peers.
 */
import cluster from "node:cluster";
import type { Reconciler } from "../core/reconciler.js";
import type { Peers, PeersReport } from "../http/deps.js";

export const RECONCILE_REQ = "infergate:reconcile-req";
export const RECONCILE = "infergate:reconcile";
export const RECONCILE_DONE = "infergate:reconcile-done";
export const RECONCILE_RES = "infergate:reconcile-res";

/** How long a worker waits for the others to apply a change before it answers with what it has. */
export const PEER_TIMEOUT_MS = 60_000;

type Res = { type: typeof RECONCILE_RES; id: number } & PeersReport;
type Req = { type: typeof RECONCILE; id: number; trigger: string };

/** No other workers: the change applied here is applied everywhere. */
export const ALONE: Peers = { reconcileOthers: async () => ({ applied: 1, of: 1, failed: [] }) };

/** In a cluster worker: answers the primary's reconcile requests and asks it to reach the others. */
export function workerPeers(reconciler: Reconciler): Peers {
  if (!cluster.isWorker) return ALONE;
  let nextId = 0;
  const pending = new Map<number, (r: PeersReport) => void>();
  process.on("message", (msg: Req | Res) => {
    if (msg?.type === RECONCILE) {
      reconciler.reconcile(msg.trigger).then(
        () => process.send?.({ type: RECONCILE_DONE, id: msg.id, ok: true }),
        (err: Error) => process.send?.({ type: RECONCILE_DONE, id: msg.id, ok: false, error: err.message }),
      );
    } else if (msg?.type === RECONCILE_RES) {
      pending.get(msg.id)?.({ applied: msg.applied, of: msg.of, failed: msg.failed });
      pending.delete(msg.id);
    }
  });
  return {
    reconcileOthers: (trigger) =>
      new Promise<PeersReport>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        process.send?.({ type: RECONCILE_REQ, id, trigger });
      }),
  };
}
