import type { Counter, Gauge, Histogram } from "@prometheus-io/client";

/**
 * Label children bound once, for the predict path. A metric child from
 * `metric.labels(...)` still validates its labels, builds a key string and looks the series up
 * on every `inc()`/`observe()` (about 1 µs each, 8 to 10 times per request: ~10 % of the
 * server's CPU at full load). These children create their series once, at load time, and then
 * update its stored entry directly, so a request costs a few additions. Exposition, cluster
 * aggregation and `/metrics` stay the library's; a test compares both paths' output.
 *
 * They rely on the client's per-metric `store.entry(labels)` (the stored entry of a series:
 * `value`, or a histogram's `bucketValues`/`sum`/`count`), pinned with the package version;
 * `entryOf` fails at start-up, not silently, if that ever changes. Series bound here must not be `remove()`d or `reset()` while bound (the service
 * never does).
 */
export type BoundCounter = { inc(n?: number): void };
export type BoundGauge = { inc(): void; dec(): void; set(v: number): void };
export type BoundHistogram = { observe(v: number): void };

type Labels = Record<string, string>;
/** The client's label-object type (a conditional type TypeScript cannot resolve for a generic T). */
type LabelValues<T extends string> = Parameters<Histogram<T>["zero"]>[0];
type ValueEntry = { value: number };
type HistogramEntry = { bucketValues: Record<string, number>; sum: number; count: number };

type Store = { entry(labels: Labels): unknown };

// Looked up once per bound series at load time, through the client's own key function.
function entryOf<E>(metric: unknown, labels: Labels): E {
  const store = (metric as { store?: Partial<Store> }).store;
  if (typeof store?.entry !== "function")
    throw new Error("@prometheus-io/client: metric has no store.entry(); bound-metrics.ts needs updating");
  const entry = store.entry(labels);
  if (typeof entry !== "object" || entry === null)
    throw new Error(`@prometheus-io/client: no series for ${JSON.stringify(labels)}`);
  return entry as E;
}

/** Creates the series at 0 (so rates exist from load time on) and binds it. */
export function bindCounter<T extends string>(counter: Counter<T>, labels: Record<T, string>): BoundCounter {
  counter.inc(labels as LabelValues<T>, 0);
  const entry = entryOf<ValueEntry>(counter, labels);
  return {
    inc: (n = 1) => {
      entry.value += n;
    },
  };
}

export function bindGauge<T extends string>(gauge: Gauge<T>, labels: Record<T, string>): BoundGauge {
  gauge.set(labels as LabelValues<T>, 0);
  const entry = entryOf<ValueEntry>(gauge, labels);
  return {
    inc: () => {
      entry.value += 1;
    },
    dec: () => {
      entry.value -= 1;
    },
    set: (v) => {
      entry.value = v;
    },
  };
}

export function bindHistogram<T extends string>(
  histogram: Histogram<T>,
  labels: Record<T, string>,
): BoundHistogram {
  histogram.zero(labels as LabelValues<T>);
  const entry = entryOf<HistogramEntry>(histogram, labels);
  const bounds = (histogram as unknown as { upperBounds: readonly number[] }).upperBounds;
  // The entry's buckets are keyed by the bound's string form; precompute the keys once.
  const keys = bounds.map(String);
  return {
    observe: (v) => {
      // Same rule as the client: the first bucket whose upper bound is >= v; above all: +Inf only.
      for (let i = 0; i < bounds.length; i++) {
        if (v <= (bounds[i] as number)) {
          (entry.bucketValues[keys[i] as string] as number)++;
          break;
        }
      }
      entry.sum += v;
      entry.count += 1;
    },
  };
}

/** Seconds since `start` (from `process.hrtime.bigint()`), for BoundHistogram.observe. */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
