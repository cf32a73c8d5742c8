import { describe, expect, it } from "vitest";
import { withRetry } from "../../src/repository/retry.js";

describe("withRetry", () => {
  it("retries transient failures and returns the first success", async () => {
    let calls = 0;
    const retried: number[] = [];
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new Error("transient");
        return "ok";
      },
      {
        attempts: 4,
        baseDelayMs: 1,
        isRetryable: () => true,
        onRetry: (_e, attempt) => retried.push(attempt),
      },
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it("stops at once on a non-retryable error", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error("fatal");
        },
        { attempts: 5, baseDelayMs: 1, isRetryable: () => false },
      ),
    ).rejects.toThrow("fatal");
    expect(calls).toBe(1);
  });

  it("gives up after the last attempt with the last error", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error(`fail ${calls}`);
        },
        { attempts: 3, baseDelayMs: 1, isRetryable: () => true },
      ),
    ).rejects.toThrow("fail 3");
  });
});
