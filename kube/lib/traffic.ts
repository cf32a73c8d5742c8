/**
 * Client traffic for the local pods, spread as a Service spreads it: each request goes to one of
 * the running pods at random, so without traffic routing the canary's share is its share of the
 * pods (Argo Rollouts' "weights approximated with replica counts"). Each request infers a batch of
 * validation rows of the digits model, every row in turn, so each track sees the same inputs.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { inferBody, validationRows } from "../../service/test/support/data.js";
import type { LocalPod } from "./local-pods.js";

export type Traffic = {
  /** Answers per pod name and model version (the x-model-version header). */
  answered: Map<string, Map<string, number>>;
  failures: number;
  stop(): Promise<void>;
};

export function startTraffic(
  pods: () => LocalPod[],
  options: { model: string; rowsPerRequest?: number; clients?: number; pauseMs?: number },
): Traffic {
  const rows = validationRows();
  const perRequest = options.rowsPerRequest ?? 16;
  const answered = new Map<string, Map<string, number>>();
  const traffic: Traffic = { answered, failures: 0, stop: async () => {} };
  let running = true;
  let next = 0;
  const client = async () => {
    while (running) {
      const ready = pods();
      const pod = ready[Math.floor(Math.random() * ready.length)];
      if (!pod) {
        await sleep(100);
        continue;
      }
      const batch = Array.from({ length: perRequest }, () => rows[next++ % rows.length] ?? rows[0]);
      try {
        const res = await fetch(`${pod.url}/v2/models/${options.model}/infer`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(inferBody(batch as NonNullable<(typeof batch)[number]>[])),
        });
        await res.arrayBuffer();
        const version = res.headers.get("x-model-version") ?? `HTTP ${res.status}`;
        const counts = answered.get(pod.name) ?? new Map<string, number>();
        counts.set(version, (counts.get(version) ?? 0) + 1);
        answered.set(pod.name, counts);
      } catch {
        // A pod stopped between the pick and the request, as a connection to a Pod being deleted.
        traffic.failures++;
      }
      await sleep(options.pauseMs ?? 40);
    }
  };
  const clients = Array.from({ length: options.clients ?? 2 }, () => client());
  traffic.stop = async () => {
    running = false;
    await Promise.all(clients);
  };
  return traffic;
}
