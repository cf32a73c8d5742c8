import type { HostTensor } from "../contract/tensor.js";
import { InfergateError } from "../errors.js";
import { secondsSince } from "../metrics/bound-metrics.js";
import type { Metrics, ShadowPairMetrics } from "../metrics/service-metrics.js";
import type { ServedVersion } from "./served-version.js";

type Scores = { top: Int32Array; probs: Float32Array | undefined; width: number };

/** Top class per row (and the probabilities, when the answer has them) of a classifier's outputs. */
function scoresOf(served: ServedVersion, outputs: readonly HostTensor[]): Scores | undefined {
  const cls = served.classifier;
  if (!cls) return undefined;
  const width = cls.labels.length;
  const probs = outputs.find((t) => t.name === cls.probabilities)?.values as Float32Array | undefined;
  const labels = outputs.find((t) => t.name === cls.labelOutput)?.values as BigInt64Array | undefined;
  if (!probs && !labels) return undefined;
  const rows = labels ? labels.length : (probs as Float32Array).length / width;
  const top = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    if (labels) top[r] = Number(labels[r]);
    else {
      let best = 0;
      for (let j = 1; j < width; j++)
        if (
          ((probs as Float32Array)[r * width + j] as number) >
          ((probs as Float32Array)[r * width + best] as number)
        )
          best = j;
      top[r] = best;
    }
  }
  return { top, probs, width };
}

/**
 * Runs a share of traffic on a candidate version off the response path: the stable answer is
 * already computed and is returned untouched; the shadow run starts on a later loop turn, goes
 * through the candidate's own batcher, and is dropped (and counted) when more than `queueSize`
 * shadow runs are pending or the candidate's queue is full. It can never delay, change or fail
 * the answer; it costs the server only the extra inference work.
 */
export class ShadowRunner {
  private pending = 0;
  /** Comparison metrics per candidate, bound on its first shadow run (re-bound if stable changes). */
  private readonly pairs = new WeakMap<
    ServedVersion,
    { stable: ServedVersion; metrics: ShadowPairMetrics }
  >();

  constructor(
    private readonly queueSize: number,
    private readonly metrics: Metrics,
  ) {}

  get depth(): number {
    return this.pending;
  }

  submit(
    stable: ServedVersion,
    candidate: ServedVersion,
    inputs: readonly HostTensor[],
    answer: readonly HostTensor[],
  ): void {
    if (this.pending >= this.queueSize) {
      this.metrics.shadowDropped.labels(candidate.model, "queue_full").inc();
      return;
    }
    this.pending++;
    candidate.enter();
    setImmediate(() => {
      this.run(stable, candidate, inputs, answer)
        // Off the response path nothing may escape: a failed comparison is counted, never thrown.
        .catch(() => this.metrics.shadowDropped.labels(candidate.model, "error").inc())
        .finally(() => {
          this.pending--;
          candidate.leave();
        });
    });
  }

  private async run(
    stable: ServedVersion,
    candidate: ServedVersion,
    inputs: readonly HostTensor[],
    answer: readonly HostTensor[],
  ): Promise<void> {
    const m = candidate.metrics("shadow");
    m.inflight.inc();
    const start = process.hrtime.bigint();
    let outputs: HostTensor[];
    try {
      outputs = await candidate.run(inputs, candidate.outputNames);
      m.outcomes.success.inc();
    } catch (err) {
      const full = err instanceof InfergateError && err.kind === "unavailable";
      if (full) this.metrics.shadowDropped.labels(candidate.model, "candidate_busy").inc();
      m.outcomes[full ? "rejected" : "server_error"].inc();
      return;
    } finally {
      m.duration.observe(secondsSince(start));
      m.inflight.dec();
    }
    candidate.countPredictions(outputs, m.classes);
    this.compare(stable, candidate, answer, outputs);
  }

  private pairMetrics(stable: ServedVersion, candidate: ServedVersion): ShadowPairMetrics {
    let pair = this.pairs.get(candidate);
    if (pair?.stable !== stable) {
      pair = { stable, metrics: this.metrics.forShadowPair(stable.model, stable.version, candidate.version) };
      this.pairs.set(candidate, pair);
    }
    return pair.metrics;
  }

  private compare(
    stable: ServedVersion,
    candidate: ServedVersion,
    answer: readonly HostTensor[],
    shadow: readonly HostTensor[],
  ): void {
    const a = scoresOf(stable, answer);
    const b = scoresOf(candidate, shadow);
    if (!a || !b) return;
    const { agree, disagree, scoreDiff: diff } = this.pairMetrics(stable, candidate);
    const rows = Math.min(a.top.length, b.top.length);
    for (let r = 0; r < rows; r++) {
      (a.top[r] === b.top[r] ? agree : disagree).inc();
      if (a.probs && b.probs && a.width === b.width) {
        let sum = 0;
        for (let j = 0; j < a.width; j++)
          sum += Math.abs((a.probs[r * a.width + j] as number) - (b.probs[r * b.width + j] as number));
        diff.observe(sum / a.width);
      }
    }
  }
}
