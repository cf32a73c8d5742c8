import { warmupSamples } from "../../../service/src/core/warmup-samples.js";
import { ModelLoadError } from "../../../service/src/errors.js";
import { sha256File } from "../../../service/src/repository/cache.js";
import { type Manifest, parseManifest, type Task } from "../../../service/src/repository/manifest.js";
import { OnnxModel, type RuntimeOptions } from "../../../service/src/runtime/onnx-model.js";
import type { WarmupOutcome } from "../../../service/src/runtime/warmup.js";
import { ModelInitError } from "./errors.js";
import { inspectModel } from "./inspect.js";
import { checkLabels, readLabels, readWarmupSamples } from "./labels-and-samples.js";
import { StagedVersion } from "./version-folder.js";

export type InitRequest = Readonly<{
  /** The .onnx file to serve. */
  model: string;
  name: string;
  version: number;
  /** A local repository root: the version becomes `<repository>/<name>/<version>/`. */
  repository: string;
  labelsFile?: string | undefined;
  warmupSamplesFile?: string | undefined;
  task?: Task | undefined;
  /** The session settings the check runs with (the server's, from the environment). */
  runtime: RuntimeOptions;
  createdAt?: Date;
}>;

export type InitResult = Readonly<{ folder: string; manifest: Manifest; warmup: WarmupOutcome }>;

/**
 * Makes a version folder a server loads: copies the model, writes a manifest from what ONNX
 * Runtime reports of the graph, then loads it the way the server does (signature check and
 * warm-up, with the samples when given) before the folder appears under its version number.
 * Anything the server would refuse is refused here, in one line that says what to change.
 */
export async function initModel(req: InitRequest): Promise<InitResult> {
  const labels = req.labelsFile === undefined ? undefined : await readLabels(req.labelsFile);
  const samples =
    req.warmupSamplesFile === undefined ? undefined : await readWarmupSamples(req.warmupSamplesFile);
  const staged = await StagedVersion.stage(req.repository, req.name, req.version, req.model);
  try {
    const graph = await inspectModel(staged.modelPath, req.model);
    if (labels && req.labelsFile) checkLabels(labels, graph.outputs, req.labelsFile);
    const draft = {
      schema_version: 1,
      name: req.name,
      version: req.version,
      platform: "onnxruntime_onnx",
      ...(req.task ? { task: req.task } : {}),
      sha256: await sha256File(staged.modelPath),
      inputs: graph.inputs,
      outputs: graph.outputs,
      ...(labels ? { labels } : {}),
      ...(samples ? { warmup: samples } : {}),
      created_at: (req.createdAt ?? new Date()).toISOString(),
    };
    const text = `${JSON.stringify(draft, null, 2)}\n`;
    const manifest = await asInitError(() => parseManifest(text, `${req.name}/${req.version}/manifest.json`));
    const warmup = await loadAsTheServerWould(staged.modelPath, manifest, req);
    return { folder: await staged.commit(text), manifest, warmup };
  } catch (err) {
    await staged.discard();
    throw err;
  }
}

/** What the server's code refuses (a ModelLoadError), init refuses, with the same message. */
async function asInitError<T>(step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof ModelLoadError) throw new ModelInitError("refused", err.message);
    throw err;
  }
}

/** Session, signature check and warm-up, through the server's own code. */
function loadAsTheServerWould(path: string, manifest: Manifest, req: InitRequest): Promise<WarmupOutcome> {
  return asInitError(async () => {
    const samples = warmupSamples(manifest, req.warmupSamplesFile ?? req.model);
    const onnx = await OnnxModel.load(path, manifest, req.runtime, req.model, samples);
    const outcome = onnx.warmup;
    await onnx.release();
    return outcome;
  });
}
