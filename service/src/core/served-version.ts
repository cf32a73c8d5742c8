import type { ClassifierView, RunFn } from "../contract/inference.js";
import type { HostTensor, TensorSpec } from "../contract/tensor.js";
import type { Track } from "../contract/tracks.js";
import { Errors } from "../errors.js";
import type { VersionMetrics } from "../metrics/service-metrics.js";
import type { Manifest } from "../repository/manifest.js";
import { isBatchable } from "./batching-options.js";

function findClassifier(manifest: Manifest): ClassifierView | undefined {
  const labels = manifest.labels;
  if (!labels?.length) return undefined;
  const probs = manifest.outputs.find(
    (o) =>
      (o.datatype === "FP32" || o.datatype === "FP64") &&
      o.shape.length === 2 &&
      o.shape[1] === labels.length,
  );
  if (!probs) return undefined;
  const label = manifest.outputs.find((o) => o.datatype === "INT64" && o.shape.length === 1);
  return { labels, probabilities: probs.name, ...(label ? { labelOutput: label.name } : {}) };
}

/**
 * A loaded, warmed-up model version plus everything the predict path needs, computed once at
 * load time: input specs by name, output names, the metadata document and bound metrics.
 */
export class ServedVersion {
  readonly inputSpecs: ReadonlyMap<string, TensorSpec>;
  readonly outputNames: readonly string[];
  private readonly outputSet: ReadonlySet<string>;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly classifier: ClassifierView | undefined;
  /** Whether the first dim of every input is dynamic, so rows of several requests can be stacked. */
  readonly batchable: boolean;

  constructor(
    readonly model: string,
    readonly version: number,
    readonly manifest: Manifest,
    readonly run: RunFn,
    /** Metrics of this version for a track (bound once per track). */
    readonly metrics: (track: Track) => VersionMetrics,
    private readonly releaseSession: () => Promise<void>,
  ) {
    this.inputSpecs = new Map(manifest.inputs.map((s) => [s.name, s]));
    this.outputNames = Object.freeze(manifest.outputs.map((o) => o.name));
    this.outputSet = new Set(this.outputNames);
    this.classifier = findClassifier(manifest);
    this.batchable = isBatchable(manifest);
    this.metadata = Object.freeze({
      name: model,
      versions: [String(version)],
      platform: manifest.platform,
      inputs: manifest.inputs,
      outputs: manifest.outputs,
      parameters: {
        sha256: manifest.sha256,
        created_at: manifest.created_at,
        ...(manifest.labels ? { labels: manifest.labels } : {}),
        ...(manifest.metrics ? { metrics: manifest.metrics } : {}),
      },
    });
  }

  /** The class labels of an output (the classifier's probabilities), for the classification extension. */
  readonly labelsFor = (output: string): readonly string[] | undefined =>
    output === this.classifier?.probabilities ? this.classifier.labels : undefined;

  /** Checks request tensors against the model's signature; throws a 400 naming the tensor. */
  checkInputs(inputs: readonly HostTensor[]): void {
    if (inputs.length !== this.inputSpecs.size) {
      const given = new Set<string>();
      for (const t of inputs) {
        if (given.has(t.name)) throw Errors.duplicateInput(t.name);
        given.add(t.name);
      }
      for (const name of this.inputSpecs.keys())
        if (!given.has(name)) throw Errors.missingInput(this.model, name);
    }
    let rows = -1;
    for (const t of inputs) {
      const spec = this.inputSpecs.get(t.name);
      if (!spec) throw Errors.unknownInput(this.model, t.name, [...this.inputSpecs.keys()]);
      if (spec.datatype !== t.datatype) throw Errors.datatypeMismatch(t.name, spec.datatype, t.datatype);
      const expected = spec.shape;
      if (expected.length !== t.shape.length) {
        throw Errors.shapeMismatch(
          t.name,
          `expected rank ${expected.length} [${expected}], got [${t.shape}]`,
        );
      }
      for (let d = 0; d < expected.length; d++) {
        const want = expected[d] as number;
        if (want !== -1 && want !== t.shape[d]) {
          throw Errors.shapeMismatch(
            t.name,
            `dimension ${d} must be ${want} (shape [${expected}]), got [${t.shape}]`,
          );
        }
      }
      if (this.batchable) {
        const n = t.shape[0] as number;
        if (rows === -1) rows = n;
        else if (rows !== n)
          throw Errors.shapeMismatch(t.name, `has ${n} rows but other inputs have ${rows}`);
      }
    }
    if (rows === 0) throw Errors.invalidRequest("inputs have zero rows");
  }

  /**
   * Counts each answered row under its predicted class (classifiers only), from the label
   * output when it was returned, else from the argmax of the probabilities.
   */
  countPredictions(outputs: readonly HostTensor[], counters: VersionMetrics["classes"]): void {
    const cls = this.classifier;
    if (!cls || counters.length === 0) return;
    for (const t of outputs) {
      if (t.name === cls.labelOutput) {
        for (const v of t.values as BigInt64Array) counters[Number(v)]?.inc();
        return;
      }
    }
    const probs = outputs.find((t) => t.name === cls.probabilities)?.values as Float32Array | undefined;
    if (!probs) return;
    const k = counters.length;
    for (let row = 0; row < probs.length; row += k) {
      let best = 0;
      for (let j = 1; j < k; j++) if ((probs[row + j] as number) > (probs[row + best] as number)) best = j;
      counters[best]?.inc();
    }
  }

  /** Requests (answered or shadow) using this version now; it is released only at zero. */
  private active = 0;
  private retired: (() => void) | undefined;

  enter(): void {
    this.active++;
  }

  leave(): void {
    this.active--;
    if (this.active === 0) this.retired?.();
  }

  /**
   * Called once the registry no longer routes to this version: waits for requests already on
   * it (in flight or queued in its batcher) to finish, then releases the session.
   */
  async release(): Promise<void> {
    if (this.active > 0) await new Promise<void>((resolve) => (this.retired = resolve));
    await this.releaseSession();
  }

  /** Requested output names, in request order; all outputs when none are requested. */
  selectOutputs(requested: readonly string[] | undefined): readonly string[] {
    if (!requested || requested.length === 0) return this.outputNames;
    for (const name of requested) {
      if (!this.outputSet.has(name)) throw Errors.unknownOutput(this.model, name, this.outputNames);
    }
    return requested;
  }
}
