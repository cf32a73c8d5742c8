import * as ort from "onnxruntime-node";
import type { RunFn } from "../contract/inference.js";
import type { HostTensor, Signature, TensorSpec, TensorValues } from "../contract/tensor.js";
import { ModelLoadError } from "../errors.js";
import { DATATYPE_INFO, datatypeFromOrt } from "./datatypes.js";
import { DEFAULT_EXECUTION_PROVIDERS } from "./execution-providers.js";
import { syntheticInputs, type WarmupOutcome, type WarmupSamples } from "./warmup.js";

/** How each session runs: ONNX Runtime's intra-op threads, graph optimisation level and providers. */
export type RuntimeOptions = Readonly<{
  intraOpThreads: number;
  graphOptimizationLevel: "disabled" | "basic" | "extended" | "all";
  /** Execution providers in order of preference (INFERGATE_EXECUTION_PROVIDERS); default cpu. */
  executionProviders?: readonly string[];
}>;

/** Compares a manifest's declared I/O with what the ONNX graph really has; -1 ⇔ symbolic dim. */
function checkSignature(
  kind: "input" | "output",
  declared: readonly TensorSpec[],
  actual: readonly ort.InferenceSession.ValueMetadata[],
  where: string,
): void {
  const byName = new Map(actual.map((m) => [m.name, m]));
  const declaredNames = declared.map((d) => d.name).sort();
  const actualNames = [...byName.keys()].sort();
  if (declaredNames.join("\0") !== actualNames.join("\0")) {
    throw new ModelLoadError(
      "signature",
      `${where}: manifest ${kind}s [${declaredNames.join(", ")}] differ from the model's [${actualNames.join(", ")}]`,
    );
  }
  for (const spec of declared) {
    const meta = byName.get(spec.name);
    if (!meta?.isTensor)
      throw new ModelLoadError("signature", `${where}: ${kind} "${spec.name}" is not a tensor`);
    const dt = datatypeFromOrt(meta.type);
    if (dt !== spec.datatype) {
      throw new ModelLoadError(
        "signature",
        `${where}: ${kind} "${spec.name}" is ${dt ?? meta.type} in the model but ${spec.datatype} in the manifest`,
      );
    }
    if (meta.shape.length === 0) continue; // the graph leaves the shape open
    const graphShape = meta.shape.map((d) => (typeof d === "number" && d >= 0 ? d : -1));
    if (graphShape.join(",") !== spec.shape.join(",")) {
      throw new ModelLoadError(
        "signature",
        `${where}: ${kind} "${spec.name}" has shape [${graphShape}] in the model but [${spec.shape}] in the manifest`,
      );
    }
  }
}

function toHost(name: string, tensor: ort.Tensor): HostTensor {
  const datatype = datatypeFromOrt(tensor.type);
  if (!datatype) throw new Error(`output "${name}" has unsupported type ${tensor.type}`);
  let values = tensor.data as TensorValues | Float16Array;
  // FP16 travels as its bits (Uint16Array) everywhere in the server; onnxruntime-common hands
  // outputs back as a Float16Array view where the runtime has one: view the same bytes as bits.
  if (values instanceof Float16Array)
    values = new Uint16Array(values.buffer, values.byteOffset, values.length);
  return { name, datatype, shape: tensor.dims.map(Number), values };
}

/**
 * An ONNX Runtime tensor of a host tensor. FP16: onnxruntime-common turns Uint16Array data into a
 * Float16Array view where the runtime has Float16Array (Node >= 23), but onnxruntime-node 1.30's
 * binding measures a Float16Array as 0 bytes and refuses it ("not enough space: expected 8, got
 * 0"; microsoft/onnxruntime PR #32323, open). The binding reads `cpuData`, so give it back the bits.
 */
function toOrt(t: HostTensor): ort.Tensor {
  const tensor = new ort.Tensor(DATATYPE_INFO[t.datatype].ort, t.values as ort.Tensor.DataType, t.shape);
  if (t.values instanceof Uint16Array && t.datatype === "FP16")
    (tensor as unknown as { cpuData: Uint16Array }).cpuData = t.values;
  return tensor;
}

/**
 * One ONNX Runtime session for one model version. Created only from a verified file; the
 * declared signature (the manifest's inputs and outputs) is cross-checked against the session's
 * real metadata and the model is warmed up (warmup.ts) before `load` returns, so a returned model
 * is ready to serve.
 */
export class OnnxModel {
  private released = false;
  private warmupOutcome: WarmupOutcome = { kind: "synthetic" };
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly signature: Signature,
  ) {}

  /**
   * Creates the session, checks the signature and warms up: with `samples` each must run (a
   * failure is a load failure), without them one synthetic run whose failure is only reported
   * in `warmup`.
   */
  static async load(
    path: string,
    signature: Signature,
    options: RuntimeOptions,
    where: string,
    samples?: WarmupSamples,
  ): Promise<OnnxModel> {
    const providers = options.executionProviders ?? DEFAULT_EXECUTION_PROVIDERS;
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, {
        intraOpNumThreads: options.intraOpThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: options.graphOptimizationLevel,
        executionMode: "sequential",
        executionProviders: providers as ort.InferenceSession.ExecutionProviderConfig[],
      });
    } catch (err) {
      throw new ModelLoadError(
        "session",
        `${where}: ONNX Runtime cannot load it (execution providers ${providers.join(",")}): ${(err as Error).message}`,
        { cause: err },
      );
    }
    const model = new OnnxModel(session, signature);
    try {
      checkSignature("input", signature.inputs, session.inputMetadata, where);
      checkSignature("output", signature.outputs, session.outputMetadata, where);
      await (samples?.length ? model.warmUpWithSamples(samples, where) : model.warmUpSynthetic());
    } catch (err) {
      await model.release();
      throw err;
    }
    return model;
  }

  /** What the warm-up did: samples run, synthetic run, or a synthetic run that failed (and why). */
  get warmup(): WarmupOutcome {
    return this.warmupOutcome;
  }

  private get outputNames(): string[] {
    return this.signature.outputs.map((o) => o.name);
  }

  /** Runs every sample; the first that fails fails the load, naming the sample. */
  private async warmUpWithSamples(samples: WarmupSamples, where: string): Promise<void> {
    for (const [i, inputs] of samples.entries()) {
      try {
        await this.run(inputs, this.outputNames);
      } catch (err) {
        throw new ModelLoadError(
          "warmup",
          `${where}: warm-up sample ${i + 1} of ${samples.length} failed: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
    this.warmupOutcome = { kind: "samples", runs: samples.length };
  }

  /** One run on zeros; a failure is recorded, not thrown (synthetic data may be invalid input). */
  private async warmUpSynthetic(): Promise<void> {
    try {
      // Its failure is reported once, by the loader's warning: keep ONNX Runtime's own error
      // line (logged at run level) out of the log.
      await this.execute(syntheticInputs(this.signature), this.outputNames, { logSeverityLevel: 4 });
      this.warmupOutcome = { kind: "synthetic" };
    } catch (err) {
      this.warmupOutcome = { kind: "synthetic_failed", message: (err as Error).message };
    }
  }

  /** Runs the graph; inputs must already match the signature (the data plane checks that). */
  readonly run: RunFn = (inputs, outputNames) => this.execute(inputs, outputNames);

  private async execute(
    inputs: readonly HostTensor[],
    outputNames: readonly string[],
    options?: ort.InferenceSession.RunOptions,
  ): Promise<HostTensor[]> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of inputs) feeds[t.name] = toOrt(t);
    const fetches = outputNames as string[];
    const results = await (options
      ? this.session.run(feeds, fetches, options)
      : this.session.run(feeds, fetches));
    return outputNames.map((name) => {
      const tensor = results[name];
      if (!tensor) throw new Error(`model returned no output "${name}"`);
      return toHost(name, tensor);
    });
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}
