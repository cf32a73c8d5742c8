import { randomBytes } from "node:crypto";
import pino from "pino";
import { ModelLoader } from "../../../service/src/core/model-loader.js";
import { ModelRegistry } from "../../../service/src/core/model-registry.js";
import type { ServedVersion } from "../../../service/src/core/served-version.js";
import { ModelLoadError } from "../../../service/src/errors.js";
import { Metrics } from "../../../service/src/metrics/service-metrics.js";
import type { Config } from "../../../service/src/process/config.js";
import { createSource } from "../../../service/src/repository/create-source.js";
import { EvaluationInputError } from "./errors.js";
import type { VersionRef } from "./model-uri.js";

export type LoadedVersion = Readonly<{
  ref: VersionRef;
  served: ServedVersion;
  /** Releases the ORT session and the source's S3 client (if any). */
  close(): Promise<void>;
}>;

/**
 * Loads one version exactly as the server does — ModelLoader.loadVersion: manifest, digest-checked
 * artifact, ORT session with the configured runtime options, signature check, warm-up — so what
 * the gate measures is what a server with the same settings would serve. Runs go one at a time,
 * so the server's batcher passes each batch through unmerged.
 */
export async function loadForEvaluation(ref: VersionRef, config: Config): Promise<LoadedVersion> {
  const source = createSource({ repository: ref.repository, cacheDir: config.cacheDir, s3: config.s3 });
  const destroy = () => (source as { destroy?: () => void }).destroy?.();
  const loader = new ModelLoader({
    source,
    // The gate never routes by key: the secret that keys sticky routing plays no part here.
    registry: new ModelRegistry(randomBytes(32).toString("hex")),
    metrics: new Metrics(),
    logger: pino({ level: "silent" }),
    // The whole server config (runtime, batching...) so every loader setting matches a server's.
    // The gate runs batches of its own size (--batch-size), not requests: no per-request row limit.
    config: {
      ...config,
      models: [ref.model],
      versionPolicy: { kind: "specific", versions: [ref.version] },
      maxRowsPerRequest: Number.MAX_SAFE_INTEGER,
    },
  });
  let served: ServedVersion;
  try {
    served = await loader.loadVersion(ref.model, ref.version);
  } catch (err) {
    destroy();
    if (err instanceof ModelLoadError) {
      throw new EvaluationInputError(
        `${ref.uri}: cannot load ${ref.model} version ${ref.version}: ${err.message}`,
      );
    }
    throw err;
  }
  return {
    ref,
    served,
    close: async () => {
      await served.release();
      destroy();
    },
  };
}
