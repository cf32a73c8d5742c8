import type { Manifest } from "../repository/manifest.js";
import type { BatchingOptions } from "./batcher.js";

/** Rows of several requests can be stacked only if every input and output has a dynamic first dim. */
export function isBatchable(manifest: Manifest): boolean {
  return [...manifest.inputs, ...manifest.outputs].every((t) => t.shape[0] === -1);
}

/** The server-wide batching settings (INFERGATE_BATCHING, _MAX_BATCH_SIZE, _MAX_QUEUE_DELAY_US, _MAX_QUEUE_SIZE). */
export type BatchingDefaults = Readonly<{
  enabled: boolean;
  maxBatchSize: number;
  maxQueueDelayUs: number;
  maxQueueSize: number;
}>;

/**
 * Server-wide batching settings, overridden per model by the manifest's `batching` block.
 * Models that cannot be stacked, or with batching off, still get the bounded queue and
 * deadlines, with one request per run.
 */
export function batchingOptions(
  server: BatchingDefaults,
  manifest: Manifest,
  batchable: boolean,
): BatchingOptions {
  const m = manifest.batching ?? {};
  const enabled = (m.enabled ?? server.enabled) && batchable;
  return {
    maxBatchSize: enabled ? (m.max_batch_size ?? server.maxBatchSize) : 1,
    maxQueueDelayUs: enabled ? (m.max_queue_delay_us ?? server.maxQueueDelayUs) : 0,
    maxQueueSize: m.max_queue_size ?? server.maxQueueSize,
  };
}
