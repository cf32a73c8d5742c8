/**
 * Production traffic: what the product services send while a release goes on. An open-loop
 * generator (requests leave on schedule whether or not earlier ones have answered, as independent
 * clients do) of V2 infer requests, each carrying `rowsPerRequest` rows of the held-out test split
 * (rows the accuracy gate never saw), unversioned, so the server's tracks decide who answers.
 * Every request is counted, and every failure: any status but 200, an answer without the model's
 * outputs, a connection error, no answer within the timeout, or nowhere to send it. Where each
 * request goes is production's to say (`route`): one server, or the pod a load balancer picks.
 *
 * `pinBaseline` adds a second stream that names the stable version explicitly (the server counts
 * those under track `direct`): at 100 % no unversioned request reaches stable, and the verdict
 * needs a stable baseline answering the same kind of traffic at the same time.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type TrafficCounts = {
  requests: number;
  failed: number;
  /** Successful answers per answering version (the x-model-version header). */
  byVersion: Record<string, number>;
  /** Failures by kind ("HTTP 503", "TimeoutError", ...): how many, and the first one's detail. */
  failures: Record<string, { count: number; first: string }>;
};

type Row = { features: number[] };

export type TrafficOptions = {
  /** The base URL for the next request (undefined: nothing can answer it, a failure). */
  route: () => string | undefined;
  model: string;
  rate: number;
  rowsPerRequest: number;
  timeoutMs: number;
};

const TICK_MS = 50;

export class ProductionTraffic {
  readonly counts: TrafficCounts = { requests: 0, failed: 0, byVersion: {}, failures: {} };
  private readonly rows: Row[];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private baseline: { version: number; rate: number } | undefined;

  constructor(
    root: string,
    private readonly options: TrafficOptions,
  ) {
    this.rows = readFileSync(join(root, "models", "repository", options.model, "test.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Row);
  }

  start(): void {
    let due = 0;
    let dueBaseline = 0;
    let last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const seconds = (now - last) / 1000;
      last = now;
      due += this.options.rate * seconds;
      for (; due >= 1; due -= 1) this.send(undefined);
      const pinned = this.baseline;
      dueBaseline = pinned ? dueBaseline + pinned.rate * seconds : 0;
      for (; pinned && dueBaseline >= 1; dueBaseline -= 1) this.send(pinned.version);
    }, TICK_MS);
  }

  /** Adds (or with undefined, removes) the stream of requests naming the stable version. */
  pinBaseline(baseline: { version: number; rate: number } | undefined): void {
    this.baseline = baseline;
  }

  /** Stops sending and waits for every request in flight to end (each is bounded by the timeout). */
  async stop(): Promise<TrafficCounts> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    return this.counts;
  }

  private send(version: number | undefined): void {
    const request = this.infer(version).finally(() => this.inFlight.delete(request));
    this.inFlight.add(request);
  }

  private async infer(version: number | undefined): Promise<void> {
    const { route, model, rowsPerRequest, timeoutMs } = this.options;
    const rows = Array.from(
      { length: rowsPerRequest },
      () => this.rows[this.next++ % this.rows.length] as Row,
    );
    const path =
      version === undefined ? `/v2/models/${model}/infer` : `/v2/models/${model}/versions/${version}/infer`;
    const body = {
      inputs: [
        { name: "input", datatype: "FP32", shape: [rows.length, 64], data: rows.flatMap((r) => r.features) },
      ],
    };
    let failure: { kind: string; detail: string } | undefined;
    let answeredBy: string | undefined;
    try {
      const url = route();
      if (url === undefined) throw new NoRouteError("no production instance can answer");
      const res = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      if (res.status !== 200) failure = { kind: `HTTP ${res.status}`, detail: text.slice(0, 200) };
      else if (!answersEveryRow(text, rows.length))
        failure = { kind: "HTTP 200 without a label per row", detail: text.slice(0, 200) };
      else answeredBy = res.headers.get("x-model-version") ?? "unknown";
    } catch (err) {
      failure = { kind: (err as Error).name, detail: (err as Error).message };
    }
    this.counts.requests += 1;
    if (failure !== undefined) {
      this.counts.failed += 1;
      const seen = this.counts.failures[failure.kind];
      if (seen) seen.count += 1;
      else this.counts.failures[failure.kind] = { count: 1, first: failure.detail };
    } else if (answeredBy !== undefined) {
      this.counts.byVersion[answeredBy] = (this.counts.byVersion[answeredBy] ?? 0) + 1;
    }
  }
}

/** Nothing to send a request to (a load balancer without a healthy target answers 503). */
class NoRouteError extends Error {
  override name = "NoRoute";
}

/** A V2 answer with a `label` output holding one label per row. */
function answersEveryRow(text: string, rows: number): boolean {
  try {
    const body = JSON.parse(text) as { outputs?: { name?: string; data?: unknown[] }[] };
    return body.outputs?.find((o) => o.name === "label")?.data?.length === rows;
  } catch {
    return false;
  }
}
