/**
 * The load probe's process (load-probe.ts): loads and warms one version as the server would,
 * reports the outcome over IPC and exits. If ONNX Runtime crashes, only this process goes.
 */
import { ModelLoadError } from "../errors.js";
import { parseManifest } from "../repository/manifest.js";
import { OnnxModel } from "../runtime/onnx-model.js";
import type { ProbeJob, ProbeOutcome } from "./load-probe.js";
import { warmupSamples } from "./warmup-samples.js";

process.once("message", (job: ProbeJob) => {
  probe(job).then((outcome) => process.send?.(outcome, () => process.exit(0)));
});

async function probe(job: ProbeJob): Promise<ProbeOutcome> {
  try {
    const manifest = parseManifest(job.manifestText, job.where);
    const model = await OnnxModel.load(
      job.path,
      manifest,
      job.runtime,
      job.where,
      warmupSamples(manifest, job.where),
    );
    await model.release();
    return { ok: true };
  } catch (err) {
    const reason = err instanceof ModelLoadError ? err.reason : "session";
    return { ok: false, reason, message: (err as Error).message };
  }
}
