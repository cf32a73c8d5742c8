import type { Logger } from "pino";
import type { Metrics } from "../metrics/service-metrics.js";
import type { ModelSource } from "../repository/source.js";
import { parseTrackPointer, type TrackPointer } from "../repository/track-pointer.js";
import type { ModelLoader } from "./model-loader.js";
import type { ModelRegistry } from "./model-registry.js";

export type ReconcileReport = {
  loaded: string[];
  failed: string[];
  unloaded: string[];
  pointers: Record<string, TrackPointer | null>;
};

/** The server settings the reconciler follows: fallback pointers and how often to poll. */
export type ReconcilerSettings = Readonly<{
  /** Track pointers per model for repositories without `tracks.json`. */
  tracks: Readonly<Record<string, TrackPointer>>;
  /** How often the repository is checked (0: never). */
  pollIntervalMs: number;
}>;

type Deps = Readonly<{
  source: ModelSource;
  registry: ModelRegistry;
  loader: ModelLoader;
  metrics: Metrics;
  logger: Logger;
  config: ReconcilerSettings;
}>;

/**
 * Keeps the registry equal to what the repository asks for: the versions the policy selects
 * plus the stable and candidate of each model's track pointer. New versions are loaded and
 * warmed beside what serves, then switched in one registry update; versions no longer wanted
 * leave the registry first and release their session once their in-flight requests finish.
 * A version that fails to load never takes traffic; what served keeps serving. Runs are
 * serialized; polling costs one listing when the repository's fingerprint is unchanged.
 */
export class Reconciler {
  private chain: Promise<unknown> = Promise.resolve();
  private fingerprint: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: Deps) {}

  /** Reads a model's pointer from the repository, falling back to server config. */
  async pointerOf(model: string): Promise<TrackPointer | undefined> {
    const found = await this.deps.source.readPointer(model);
    return found ? parseTrackPointer(found.text, found.where) : this.deps.config.tracks[model];
  }

  reconcile(trigger: string): Promise<ReconcileReport> {
    const run = this.chain.then(() => this.run(trigger));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(trigger: string): Promise<ReconcileReport> {
    const { registry, loader, logger, metrics, source } = this.deps;
    const report: ReconcileReport = { loaded: [], failed: [], unloaded: [], pointers: {} };
    try {
      this.fingerprint = await source.fingerprint();
      const plan = await loader.discover();
      for (const model of plan.keys()) registry.declare(model);
      for (const [model, selected] of plan) {
        let pointer: TrackPointer | undefined;
        try {
          pointer = await this.pointerOf(model);
        } catch (err) {
          // A broken pointer must not take down what serves: keep the previous one.
          logger.error({ model, err: (err as Error).message }, "ignoring invalid track pointer");
          pointer = registry.pointer(model);
        }
        const wanted = new Set(selected);
        if (pointer?.stable !== undefined) wanted.add(pointer.stable);
        if (pointer?.candidate !== undefined && pointer.mode !== "off") wanted.add(pointer.candidate);
        const have = registry.versions(model);
        for (const v of [...wanted].sort((a, b) => a - b)) {
          const st = have.get(v);
          if (st?.state === "ready" || st?.state === "loading") continue;
          if (await loader.loadAndRegister(model, v)) report.loaded.push(`${model}/${v}`);
          else report.failed.push(`${model}/${v}`);
        }
        registry.setPointer(model, pointer);
        report.pointers[model] = pointer ?? null;
        // If nothing the repository asks for could load, keep serving what serves now.
        const versions = registry.versions(model);
        const wantedReady = [...wanted].some((v) => versions.get(v)?.state === "ready");
        if (!wantedReady && registry.tracks(model).stable) {
          logger.error(
            { model, wanted: [...wanted] },
            "no wanted version could load; keeping the versions that serve",
          );
          continue;
        }
        for (const [v, st] of [...versions]) {
          if (wanted.has(v)) continue;
          registry.remove(model, v);
          metrics.modelReady.remove(model, String(v));
          if (st.state === "ready") {
            report.unloaded.push(`${model}/${v}`);
            st.served.release().then(
              () => logger.info({ model, version: v }, "model version unloaded"),
              (err: unknown) => logger.error({ err, model, version: v }, "model version failed to unload"),
            );
          }
        }
      }
      await this.pruneCache();
      metrics.reloads.labels(trigger, report.failed.length ? "partial" : "ok").inc();
      if (report.loaded.length || report.unloaded.length || report.failed.length) {
        logger.info({ trigger, ...report }, "repository reconciled");
      }
      return report;
    } catch (err) {
      metrics.reloads.labels(trigger, "error").inc();
      logger.error(
        { trigger, err: (err as Error).message },
        "repository reconcile failed; serving what is loaded",
      );
      throw err;
    }
  }

  /**
   * Drops cached artifacts of versions this worker no longer holds, so a long-lived pod on a
   * size-limited cache volume does not fill it with every version it ever served. A failed prune
   * is logged: it costs disk, never serving.
   */
  private async pruneCache(): Promise<void> {
    const { registry, source, logger } = this.deps;
    const keep = new Set<string>();
    for (const model of registry.modelNames())
      for (const v of registry.versions(model).keys()) keep.add(`${model}/${v}`);
    await source.prune(keep).catch((err: unknown) => logger.warn({ err }, "model cache prune failed"));
  }

  /** Polls the repository; a changed fingerprint triggers a reconcile. */
  start(): void {
    const { pollIntervalMs } = this.deps.config;
    if (pollIntervalMs === 0 || this.timer) return;
    const tick = async () => {
      try {
        const now = await this.deps.source.fingerprint();
        if (now !== this.fingerprint) await this.reconcile("poll");
      } catch {
        // logged by reconcile; the next tick tries again
      }
      this.timer = setTimeout(tick, pollIntervalMs);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, pollIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
