import { setTimeout as sleep } from "node:timers/promises";

export type RetryOptions = Readonly<{
  attempts: number;
  baseDelayMs: number;
  maxDelayMs?: number;
  isRetryable: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}>;

/**
 * Runs `fn` until it succeeds, a non-retryable error occurs, or attempts run out. Delays grow
 * exponentially with full jitter (the AWS architecture blog's recommendation) so many pods
 * restarting together do not hammer the store in lock-step.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const maxDelay = options.maxDelayMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= options.attempts || !options.isRetryable(err)) throw err;
      const cap = Math.min(maxDelay, options.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.round(Math.random() * cap);
      options.onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}
