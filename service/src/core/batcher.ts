import type { RunFn } from "../contract/inference.js";
import type { HostTensor } from "../contract/tensor.js";
import { Errors, type InfergateError } from "../errors.js";
import type { BatchMetrics } from "../metrics/service-metrics.js";
import { mergeRows, splitRows } from "./batch-tensors.js";

export type BatchingOptions = Readonly<{
  /** Rows per ONNX Runtime run; 1 turns merging off (the queue, limits and deadlines stay). */
  maxBatchSize: number;
  /** Under sustained load, how long a free runtime may wait for more rows (0: never wait). */
  maxQueueDelayUs: number;
  /** Requests that may wait; one more is refused at once (503 + Retry-After). */
  maxQueueSize: number;
}>;

type Pending = {
  inputs: readonly HostTensor[];
  outputNames: readonly string[];
  rows: number;
  enqueuedAt: bigint;
  timeoutMs: number | undefined;
  timer: NodeJS.Timeout | undefined;
  resolve: (outputs: HostTensor[]) => void;
  reject: (err: unknown) => void;
};

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true; // the usual case: both asked for all outputs (the version's own array)
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Requests may share a run only if everything but the row count is the same: input names,
 * datatypes and non-batch dims in the same order, and the same outputs. Compared only when a
 * batch is being filled (no key string built per request).
 */
function mergeable(a: Pending, b: Pending): boolean {
  if (!sameNames(a.outputNames, b.outputNames) || a.inputs.length !== b.inputs.length) return false;
  for (let i = 0; i < a.inputs.length; i++) {
    const x = a.inputs[i] as HostTensor;
    const y = b.inputs[i] as HostTensor;
    if (x.name !== y.name || x.datatype !== y.datatype || x.shape.length !== y.shape.length) return false;
    for (let d = 1; d < x.shape.length; d++) if (x.shape[d] !== y.shape[d]) return false;
  }
  return true;
}

/**
 * Adaptive batching as a wrapper around a model's run function. `session.run` blocks the event
 * loop, so while one batch runs, arriving requests queue up; the next batch takes as many of
 * them as fit. An idle runtime starts a lone request at once; nothing waits for a timer unless
 * `maxQueueDelayUs` asks for it and traffic is flowing. Requests with different non-batch shapes
 * (or output selections) are never merged; each request gets exactly its own rows back; a failed
 * run fails exactly the requests in it. The queue is bounded and expired requests never run.
 */
export class Batcher {
  private readonly queue: Pending[] = [];
  private running = false;
  private scheduled = false;
  private lastRunEnd = 0n;

  constructor(
    private readonly inner: RunFn,
    private readonly options: BatchingOptions,
    private readonly metrics: BatchMetrics,
  ) {
    metrics.queueCapacity.set(options.maxQueueSize);
  }

  readonly run: RunFn = (inputs, outputNames, timeoutMs) => {
    if (this.queue.length >= this.options.maxQueueSize) {
      this.metrics.rejectedQueueFull.inc();
      return Promise.reject(Errors.queueFull(this.metrics.model, this.metrics.version));
    }
    return new Promise<HostTensor[]>((resolve, reject) => {
      const p: Pending = {
        inputs,
        outputNames,
        rows: inputs[0]?.shape[0] ?? 1,
        enqueuedAt: process.hrtime.bigint(),
        timeoutMs,
        timer: undefined,
        resolve,
        reject,
      };
      if (timeoutMs !== undefined) p.timer = setTimeout(() => this.expire(p), timeoutMs);
      this.queue.push(p);
      this.metrics.queueDepth.set(this.queue.length);
      this.schedule();
    });
  };

  /** Pending requests and whether a run is in progress (for draining and tests). */
  get depth(): number {
    return this.queue.length;
  }

  private expire(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i < 0) return; // already taken into a batch
    this.queue.splice(i, 1);
    this.metrics.queueDepth.set(this.queue.length);
    this.drop(p);
  }

  private drop(p: Pending): void {
    if (p.timer) clearTimeout(p.timer);
    this.metrics.rejectedTimeout.inc();
    p.reject(Errors.deadlineExceeded(p.timeoutMs ?? 0));
  }

  /** True when a request's timeout has passed (its timer may not have fired while a run blocked the loop). */
  private expired(p: Pending, now: bigint): boolean {
    return p.timeoutMs !== undefined && Number(now - p.enqueuedAt) / 1e6 >= p.timeoutMs;
  }

  private schedule(): void {
    if (this.running || this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    const { maxQueueDelayUs, maxBatchSize } = this.options;
    const sinceLastRunUs = Number((process.hrtime.bigint() - this.lastRunEnd) / 1000n);
    const underLoad = sinceLastRunUs < maxQueueDelayUs;
    const queuedRows = this.queue.reduce((n, p) => n + p.rows, 0);
    if (maxQueueDelayUs > 0 && underLoad && queuedRows < maxBatchSize) {
      setTimeout(() => this.dispatch(), Math.ceil(maxQueueDelayUs / 1000));
    } else {
      // setImmediate lets requests already readable in this loop turn join the batch.
      setImmediate(() => this.dispatch());
    }
  }

  /** Takes the oldest live request and every later one that fits with it (same key, row budget). */
  private take(now: bigint): Pending[] {
    let first = this.queue.shift() as Pending;
    while (this.expired(first, now)) {
      this.drop(first);
      if (this.queue.length === 0) return [];
      first = this.queue.shift() as Pending;
    }
    const batch = [first];
    let rows = first.rows;
    for (let i = 0; i < this.queue.length && rows < this.options.maxBatchSize; ) {
      const p = this.queue[i] as Pending;
      if (this.expired(p, now)) {
        this.queue.splice(i, 1);
        this.drop(p);
      } else if (rows + p.rows <= this.options.maxBatchSize && mergeable(first, p)) {
        batch.push(p);
        rows += p.rows;
        this.queue.splice(i, 1);
      } else i++;
    }
    return batch;
  }

  private async dispatch(): Promise<void> {
    this.scheduled = false;
    if (this.running || this.queue.length === 0) return;
    const now = process.hrtime.bigint();
    const batch = this.take(now);
    this.metrics.queueDepth.set(this.queue.length);
    if (batch.length === 0) return;
    this.running = true;
    let rows = 0;
    for (const p of batch) {
      if (p.timer) clearTimeout(p.timer);
      this.metrics.queueDuration.observe(Number(now - p.enqueuedAt) / 1e9);
      rows += p.rows;
    }
    this.metrics.batchSize.observe(rows);
    try {
      const first = batch[0] as Pending;
      if (batch.length === 1) {
        first.resolve(await this.inner(first.inputs, first.outputNames));
      } else {
        const merged = mergeRows(batch.map((p) => p.inputs));
        const outputs = await this.inner(merged, first.outputNames);
        const parts = splitRows(
          outputs,
          batch.map((p) => p.rows),
        );
        for (let i = 0; i < batch.length; i++) (batch[i] as Pending).resolve(parts[i] as HostTensor[]);
      }
    } catch (err) {
      for (const p of batch) p.reject(err as InfergateError);
    } finally {
      this.running = false;
      this.lastRunEnd = process.hrtime.bigint();
      this.schedule();
    }
  }
}
