import * as ort from "onnxruntime-node";
import type { TensorSpec } from "../../../service/src/contract/tensor.js";
import { datatypeFromOrt } from "../../../service/src/runtime/datatypes.js";
import { ModelInitError } from "./errors.js";

/** What the server needs to know of a graph: its inputs and outputs as tensor specs. */
export type GraphSignature = Readonly<{ inputs: TensorSpec[]; outputs: TensorSpec[] }>;

/**
 * The one converter option behind most non-tensor outputs: skl2onnx wraps a classifier's
 * probabilities in a ZipMap (a sequence of maps, one per row) unless told not to.
 */
const SEQUENCE_OUTPUT_HINT =
  "re-export it as a tensor: skl2onnx's convert_sklearn(..., options={id(classifier): {'zipmap': False}}) " +
  "gives the probabilities as a [batch, n_classes] tensor";

function spec(kind: "input" | "output", meta: ort.InferenceSession.ValueMetadata, path: string): TensorSpec {
  if (!meta.isTensor) {
    const fix =
      kind === "output"
        ? SEQUENCE_OUTPUT_HINT
        : "re-export the model so that it takes tensors (the Open Inference Protocol sends tensors only)";
    throw new ModelInitError(
      "refused",
      `${path}: ${kind} "${meta.name}" is a sequence or map, not a tensor, and the server only serves tensors; ${fix}`,
    );
  }
  const datatype = datatypeFromOrt(meta.type);
  if (!datatype) {
    throw new ModelInitError(
      "refused",
      `${path}: ${kind} "${meta.name}" is ${meta.type}, which the Open Inference Protocol has no datatype for; re-export it as a float, integer, bool or string tensor`,
    );
  }
  // Named ("batch"), unnamed ("") or unknown dims are dynamic: -1, as the manifests and V2 metadata say.
  const shape = meta.shape.map((d) => (typeof d === "number" && d >= 0 ? d : -1));
  return { name: meta.name, datatype, shape };
}

/**
 * Opens the model with ONNX Runtime, as the server will, and reads its inputs and outputs from
 * what the session reports. Refuses a file ONNX Runtime cannot load and any input or output that
 * is not a tensor of an Open Inference Protocol datatype; messages name the file as `shownAs`.
 */
export async function inspectModel(path: string, shownAs = path): Promise<GraphSignature> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, { graphOptimizationLevel: "disabled" });
  } catch (err) {
    // ONNX Runtime names the staged copy ("Load model from <path> failed: ..."): keep only why.
    const first = ((err as Error).message.split("\n")[0] ?? "").trim();
    const reason = first.replace(/^Load model from .* failed:\s*/, "");
    throw new ModelInitError(
      "refused",
      `${shownAs} is not an ONNX model ONNX Runtime can load (${reason}); pass the .onnx file a converter wrote`,
    );
  }
  try {
    return {
      inputs: session.inputMetadata.map((m) => spec("input", m, shownAs)),
      outputs: session.outputMetadata.map((m) => spec("output", m, shownAs)),
    };
  } finally {
    await session.release();
  }
}
