import * as ort from "onnxruntime-node";
import type { RunFn } from "../contract/inference.js";
import type { HostTensor, Signature, TensorSpec, TensorValues } from "../contract/tensor.js";
import { ModelLoadError } from "../errors.js";
import { DATATYPE_INFO, datatypeFromOrt } from "./datatypes.js";

/** How each session runs: ONNX Runtime's intra-op threads and graph optimisation level. */
export type RuntimeOptions = Readonly<{
  intraOpThreads: number;
  graphOptimizationLevel: "disabled" | "basic" | "extended" | "all";
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
 * declared signature (the manifest's inputs and outputs) is cross-checked against the session's real metadata and a warm-up run must succeed
 * before `load` returns, so a returned model is ready to serve.
 */
export class OnnxModel {
  private released = false;
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly signature: Signature,
  ) {}

  static async load(
    path: string,
    signature: Signature,
    options: RuntimeOptions,
    where: string,
  ): Promise<OnnxModel> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, {
        intraOpNumThreads: options.intraOpThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: options.graphOptimizationLevel,
        executionMode: "sequential",
      });
    } catch (err) {
      throw new ModelLoadError(
        "session",
        `${where}: ONNX Runtime cannot load it: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    const model = new OnnxModel(session, signature);
    try {
      checkSignature("input", signature.inputs, session.inputMetadata, where);
      checkSignature("output", signature.outputs, session.outputMetadata, where);
      await model.warmUp(where);
    } catch (err) {
      await model.release();
      throw err;
    }
    return model;
  }

  /** One run on zeros with every dynamic dim set to 1: proves the graph executes end to end. */
  private async warmUp(where: string): Promise<void> {
    const inputs = this.signature.inputs.map((spec) => {
      const shape = spec.shape.map((d) => (d < 0 ? 1 : d));
      const size = shape.reduce((a, b) => a * b, 1);
      return {
        name: spec.name,
        datatype: spec.datatype,
        shape,
        values: DATATYPE_INFO[spec.datatype].alloc(size),
      };
    });
    try {
      await this.run(
        inputs,
        this.signature.outputs.map((o) => o.name),
      );
    } catch (err) {
      throw new ModelLoadError("warmup", `${where}: warm-up inference failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** Runs the graph; inputs must already match the signature (the data plane checks that). */
  readonly run: RunFn = async (inputs, outputNames) => {
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of inputs) feeds[t.name] = toOrt(t);
    const results = await this.session.run(feeds, outputNames as string[]);
    return outputNames.map((name) => {
      const tensor = results[name];
      if (!tensor) throw new Error(`model returned no output "${name}"`);
      return toHost(name, tensor);
    });
  };

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}
