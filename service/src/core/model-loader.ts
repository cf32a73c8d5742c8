import type { Logger } from "pino";
import { ModelLoadError } from "../errors.js";
import type { Metrics } from "../metrics/service-metrics.js";
import { checkManifestLocation, parseManifest } from "../repository/manifest.js";
import type { ModelSource } from "../repository/source.js";
import { selectVersions, type VersionPolicy } from "../repository/version-policy.js";
import { OnnxModel, type RuntimeOptions } from "../runtime/onnx-model.js";
import { Batcher } from "./batcher.js";
import { type BatchingDefaults, batchingOptions, isBatchable } from "./batching-options.js";
import { probeLoad } from "./load-probe.js";
import type { ModelRegistry } from "./model-registry.js";
import { ServedVersion } from "./served-version.js";
import { warmupSamples } from "./warmup-samples.js";

export type LoaderDeps = Readonly<{
  source: ModelSource;
  registry: ModelRegistry;
  metrics: Metrics;
  logger: Logger;
  config: LoaderSettings;
}>;

/**
 * Brings model versions from a repository source to READY: manifest → verified artifact →
 * session → signature check → warm-up. A failure at any step leaves the version FAILED (with a
 * metric and a log line naming the artifact); it never serves. The one exception is a failed
 * synthetic warm-up (no samples in the manifest), which is logged as a warning.
 */
/** What the loader takes from the server's settings. */
export type LoaderSettings = Readonly<{
  /** The models to serve; undefined: every model in the repository. */
  models: readonly string[] | undefined;
  versionPolicy: VersionPolicy;
  runtime: RuntimeOptions;
  batching: BatchingDefaults;
  /** Rows one request may carry; undefined: the model's max batch size. */
  maxRowsPerRequest: number | undefined;
  /** The largest artifact this worker loads (INFERGATE_MAX_MODEL_BYTES). */
  maxModelBytes: number;
}>;

export class ModelLoader {
  constructor(private readonly deps: LoaderDeps) {}

  /** Loads one version; returns it (not yet registered) or throws ModelLoadError. */
  async loadVersion(model: string, version: number): Promise<ServedVersion> {
    const { source, metrics, config, logger } = this.deps;
    const { text, where } = await source.readManifest(model, version);
    const manifest = parseManifest(text, where);
    checkManifestLocation(manifest, model, version, where);
    const samples = warmupSamples(manifest, where);
    const path = await source.materialize(model, version, manifest.sha256, config.maxModelBytes);
    // Beside versions that serve, a new version is first loaded in a probe process: an artifact
    // that crashes ONNX Runtime must take down the probe, not this worker (load-probe.ts).
    if (this.deps.registry.readyVersions().length > 0)
      await probeLoad({
        manifestText: text,
        where: `${source.uri}/${model}/${version}`,
        path,
        runtime: config.runtime,
      });
    const onnx = await OnnxModel.load(
      path,
      manifest,
      config.runtime,
      `${source.uri}/${model}/${version}`,
      samples,
    );
    if (onnx.warmup.kind === "synthetic_failed") {
      // Zeros are not always valid input (an unknown category, an out-of-vocabulary id): the
      // session and signature are fine, so the version serves; real rows in the manifest's
      // `warmup` would warm it up instead.
      logger.warn(
        { model, version, err: onnx.warmup.message },
        "synthetic warm-up failed; serving anyway (add real rows as the manifest's warmup samples)",
      );
    }
    const options = batchingOptions(config.batching, manifest, isBatchable(manifest));
    const batcher = new Batcher(onnx.run, options, metrics.forBatcher(model, version));
    return new ServedVersion(
      model,
      version,
      manifest,
      batcher.run,
      metrics.forVersion(model, version, manifest.labels ?? []),
      () => onnx.release(),
      config.maxRowsPerRequest ?? manifest.batching?.max_batch_size ?? config.batching.maxBatchSize,
    );
  }

  /** Loads and registers one version, recording its outcome; resolves to whether it became ready. */
  async loadAndRegister(model: string, version: number): Promise<boolean> {
    const { registry, metrics, logger } = this.deps;
    const v = String(version);
    registry.set(model, version, { state: "loading" });
    metrics.modelReady.labels(model, v).set(0);
    const stop = metrics.modelLoadDuration.labels(model, v).startTimer();
    try {
      const served = await this.loadVersion(model, version);
      stop();
      registry.set(model, version, { state: "ready", served });
      metrics.modelReady.labels(model, v).set(1);
      metrics.modelInfo.labels(model, v, served.manifest.sha256).set(1);
      logger.info({ model, version, sha256: served.manifest.sha256 }, "model version ready");
      return true;
    } catch (err) {
      const reason = err instanceof ModelLoadError ? err.reason : "fetch";
      const message = (err as Error).message;
      registry.set(model, version, { state: "failed", error: message, reason });
      metrics.modelLoadFailures.labels(model, v, reason).inc();
      logger.error({ model, version, reason, err: message }, "model version failed to load");
      return false;
    }
  }

  /** The models to serve: the configured list, or every model the repository holds. */
  async discover(): Promise<Map<string, number[]>> {
    const { source, config } = this.deps;
    const names = config.models ?? (await source.listModels());
    const plan = new Map<string, number[]>();
    for (const model of names) {
      plan.set(model, selectVersions(config.versionPolicy, await source.listVersions(model)));
    }
    return plan;
  }
}
