import type { ClassifierView, DecodeTarget, RunFn } from "../contract/inference.js";
import type { HostTensor, TensorSpec } from "../contract/tensor.js";
import type { Track } from "../contract/tracks.js";
import { Errors } from "../errors.js";
import type { VersionMetrics } from "../metrics/service-metrics.js";
import { checkTensorHeader } from "../protocol/tensor-header.js";
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
  /** What decoders check a request against before allocating (protocol/tensor-header.ts). */
  readonly decodeTarget: DecodeTarget;

  constructor(
    readonly model: string,
    readonly version: number,
    readonly manifest: Manifest,
    readonly run: RunFn,
    /** Metrics of this version for a track (bound once per track). */
    readonly metrics: (track: Track) => VersionMetrics,
    private readonly releaseSession: () => Promise<void>,
    /** Rows one request may carry (INFERGATE_MAX_ROWS_PER_REQUEST, by default the max batch size). */
    maxRows: number,
  ) {
    this.inputSpecs = new Map(manifest.inputs.map((s) => [s.name, s]));
    this.outputNames = Object.freeze(manifest.outputs.map((o) => o.name));
    this.outputSet = new Set(this.outputNames);
    this.classifier = findClassifier(manifest);
    this.batchable = isBatchable(manifest);
    this.decodeTarget = Object.freeze({ model, inputs: this.inputSpecs, batchable: this.batchable, maxRows });
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

  /**
   * Checks the set of request inputs, each already checked against its spec by its decoder
   * (protocol/tensor-header.ts): every model input given exactly once, and, for a batchable
   * model, the same number of rows in each, more than zero. Throws a 400 naming the tensor.
   */
  checkInputSet(inputs: readonly HostTensor[]): void {
    // One input of the right name: the common case needs no set.
    if (inputs.length !== 1 || this.inputSpecs.size !== 1) {
      const given = new Set<string>();
      for (const t of inputs) {
        if (given.has(t.name)) throw Errors.duplicateInput(t.name);
        given.add(t.name);
      }
      for (const name of this.inputSpecs.keys())
        if (!given.has(name)) throw Errors.missingInput(this.model, name);
    }
    if (!this.batchable) return;
    const rows = inputs[0]?.shape[0] ?? 0;
    for (const t of inputs)
      if (t.shape[0] !== rows)
        throw Errors.shapeMismatch(t.name, `has ${t.shape[0]} rows but other inputs have ${rows}`);
    if (rows === 0) throw Errors.invalidRequest("inputs have zero rows");
  }

  /** Both checks, for tensors no decoder made (the accuracy gate builds its own). */
  checkInputs(inputs: readonly HostTensor[]): void {
    for (const t of inputs) checkTensorHeader(this.decodeTarget, t.name, t.datatype, t.shape);
    this.checkInputSet(inputs);
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
        // Indexed, not for-of: no iterator object per request.
        const labels = t.values as BigInt64Array;
        for (let i = 0; i < labels.length; i++) counters[Number(labels[i])]?.inc();
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
