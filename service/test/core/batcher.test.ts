import { describe, expect, it } from "vitest";
import type { RunFn } from "../../src/contract/inference.js";
import type { HostTensor } from "../../src/contract/tensor.js";
import { Batcher, type BatchingOptions } from "../../src/core/batcher.js";
import { InfergateError } from "../../src/errors.js";
import { Metrics } from "../../src/metrics/service-metrics.js";

const metrics = () => new Metrics("stable").forBatcher("m", 1);
const opts = (o: Partial<BatchingOptions> = {}): BatchingOptions => ({
  maxBatchSize: 8,
  maxQueueDelayUs: 0,
  maxQueueSize: 1000,
  ...o,
});

/** A request of `rows` rows of width `width`, each value encoding (request id, row, column). */
function request(id: number, rows: number, width = 3): HostTensor[] {
  const values = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < width; c++) values[r * width + c] = id * 1000 + r * 10 + c;
  return [{ name: "x", datatype: "FP32", shape: [rows, width], values }];
}

/** A fake model: y = x * 2 and a per-row sum; records every run's row count and width. */
function fakeModel(runs: { rows: number; width: number }[], gate?: Promise<void>): RunFn {
  return async (inputs, names) => {
    const x = inputs[0] as HostTensor;
    const [rows, width] = x.shape as [number, number];
    runs.push({ rows, width });
    if (gate) await gate;
    const v = x.values as Float32Array;
    if (v.some((n) => Number.isNaN(n))) throw new Error("poisoned row");
    const sum = new Float32Array(rows);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < width; c++) sum[r] = (sum[r] as number) + (v[r * width + c] as number);
    const all: HostTensor[] = [
      { name: "y", datatype: "FP32", shape: [rows, width], values: v.map((n) => n * 2) },
      { name: "sum", datatype: "FP32", shape: [rows], values: sum },
    ];
    return names.map((n) => all.find((t) => t.name === n) as HostTensor);
  };
}

const deferred = () => {
  let open!: () => void;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
};

describe("Batcher", () => {
  it("returns exactly what unbatched runs return, row for row, for random sizes and interleavings", async () => {
    const runs: { rows: number; width: number }[] = [];
    const model = fakeModel(runs);
    const batcher = new Batcher(model, opts({ maxBatchSize: 16 }), metrics());
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 20; round++) {
      const reqs = Array.from({ length: 1 + rand(40) }, (_, i) => request(round * 100 + i, 1 + rand(6)));
      const order = reqs.map((_, i) => i).sort(() => rand(3) - 1);
      const batched = new Array<Promise<HostTensor[]>>(reqs.length);
      for (const i of order) batched[i] = batcher.run(reqs[i] as HostTensor[], ["y", "sum"]);
      const got = await Promise.all(batched);
      for (let i = 0; i < reqs.length; i++) {
        const alone = await model(reqs[i] as HostTensor[], ["y", "sum"]);
        expect(got[i]?.map((t) => [t.name, t.shape, Array.from(t.values as Float32Array)])).toEqual(
          alone.map((t) => [t.name, t.shape, Array.from(t.values as Float32Array)]),
        );
      }
    }
    expect(runs.some((r) => r.rows > 6)).toBe(true); // merging really happened
  });

  it("never exceeds the max batch size, and runs a lone request at once", async () => {
    const runs: { rows: number; width: number }[] = [];
    const batcher = new Batcher(fakeModel(runs), opts({ maxBatchSize: 8 }), metrics());
    await batcher.run(request(1, 1), ["y"]);
    expect(runs).toEqual([{ rows: 1, width: 3 }]);
    runs.length = 0;
    await Promise.all(Array.from({ length: 100 }, (_, i) => batcher.run(request(i, 1 + (i % 3)), ["y"])));
    expect(Math.max(...runs.map((r) => r.rows))).toBeLessThanOrEqual(8);
    expect(runs.reduce((n, r) => n + r.rows, 0)).toBe(
      Array.from({ length: 100 }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b),
    );
  });

  it("never merges requests with different non-batch shapes or output selections", async () => {
    const runs: { rows: number; width: number }[] = [];
    const batcher = new Batcher(fakeModel(runs), opts({ maxBatchSize: 64 }), metrics());
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => batcher.run(request(i, 1, 3), ["y"])),
      ...Array.from({ length: 10 }, (_, i) => batcher.run(request(i, 1, 4), ["y"])),
      ...Array.from({ length: 10 }, (_, i) => batcher.run(request(i, 1, 3), ["sum"])),
    ]);
    expect(results.every((r) => r.length === 1)).toBe(true);
    expect(results.slice(0, 10).every((r) => r[0]?.shape[1] === 3)).toBe(true);
    expect(results.slice(10, 20).every((r) => r[0]?.shape[1] === 4)).toBe(true);
    expect(results.slice(20).every((r) => r[0]?.name === "sum")).toBe(true);
    expect(runs.length).toBeGreaterThanOrEqual(3);
  });

  it("fails every request of a failed batch, and only those", async () => {
    const gate = deferred();
    const runs: { rows: number; width: number }[] = [];
    const batcher = new Batcher(fakeModel(runs, gate.promise), opts({ maxBatchSize: 4 }), metrics());
    const first = batcher.run(request(1, 1), ["y"]); // runs alone, held at the gate
    await new Promise((r) => setImmediate(r));
    const poisoned = request(2, 1);
    (poisoned[0]?.values as Float32Array)[0] = Number.NaN;
    const batchA = Promise.allSettled(
      [poisoned, request(3, 1), request(4, 1), request(5, 1)].map((r) => batcher.run(r, ["y"])),
    );
    const batchB = Promise.allSettled([request(6, 1), request(7, 1)].map((r) => batcher.run(r, ["y"])));
    gate.open();
    await expect(first).resolves.toHaveLength(1);
    const a = await batchA;
    const b = await batchB;
    expect(a.map((s) => s.status)).toEqual(["rejected", "rejected", "rejected", "rejected"]);
    expect(b.map((s) => s.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(runs.map((r) => r.rows)).toEqual([1, 4, 2]);
  });

  it("refuses at once with 503 + Retry-After when the queue is full", async () => {
    const gate = deferred();
    const m = new Metrics("stable");
    const batcher = new Batcher(fakeModel([], gate.promise), opts({ maxQueueSize: 4 }), m.forBatcher("m", 1));
    const running = batcher.run(request(0, 1), ["y"]);
    await new Promise((r) => setImmediate(r));
    const queued = Array.from({ length: 4 }, (_, i) => batcher.run(request(i + 1, 1), ["y"]));
    const refused = await batcher.run(request(9, 1), ["y"]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InfergateError);
    expect((refused as InfergateError).kind).toBe("unavailable"); // 503
    expect((refused as InfergateError).retryAfterSeconds).toBe(1);
    gate.open();
    await running;
    await Promise.all(queued);
    expect(await m.registry.getSingleMetricAsString("infergate_rejected_requests_total")).toMatch(
      /reason="queue_full"\} 1/,
    );
  });

  it("drops a queued request whose timeout passes with 504, and never runs it", async () => {
    const gate = deferred();
    const runs: { rows: number; width: number }[] = [];
    const batcher = new Batcher(fakeModel(runs, gate.promise), opts(), metrics());
    const running = batcher.run(request(0, 1), ["y"]);
    await new Promise((r) => setImmediate(r));
    const late = batcher.run(request(1, 2), ["y"], 20).catch((e: unknown) => e);
    const patient = batcher.run(request(2, 1), ["y"], 10_000);
    const err = await late;
    expect((err as InfergateError).kind).toBe("deadline_exceeded"); // 504
    expect((err as Error).message).toMatch(/20 ms/);
    gate.open();
    await running;
    await patient;
    expect(runs.map((r) => r.rows)).toEqual([1, 1]); // the 2-row request never ran
  });

  it("drops requests that expired while a run blocked the event loop, before running them", async () => {
    const runs: { rows: number; width: number }[] = [];
    const inner: RunFn = async (inputs, names) => {
      const until = Date.now() + 30;
      while (Date.now() < until) {
        // a synchronous run, as onnxruntime-node's is
      }
      return fakeModel(runs)(inputs, names);
    };
    const batcher = new Batcher(inner, opts(), metrics());
    const first = batcher.run(request(0, 1, 4), ["y"]); // another width: never merged with the next
    const late = batcher.run(request(1, 3), ["y"], 5).catch((e: unknown) => e);
    await first;
    expect(((await late) as InfergateError).kind).toBe("deadline_exceeded");
    expect(runs.map((r) => r.rows)).not.toContain(3);
  });
});
