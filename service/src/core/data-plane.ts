import type { ErrorKind } from "../contract/errors.js";
import type { DecodeTarget, InferenceRequest, InferenceResult } from "../contract/inference.js";
import { Errors, InfergateError } from "../errors.js";
import { secondsSince } from "../metrics/bound-metrics.js";
import type { Outcome } from "../metrics/service-metrics.js";
import { classifyOutputs } from "../protocol/classification.js";
import { parseVersion } from "../repository/version-policy.js";
import type { ModelRegistry, Route } from "./model-registry.js";
import type { ShadowRunner } from "./shadow.js";

export const SERVER_NAME = "infergate";
export const SERVER_VERSION = "0.1.0";
/** The longest a request may ask to wait before it runs (header, parameter or gRPC deadline). */
export const MAX_TIMEOUT_MS = 600_000;
/**
 * Why a version failed, for the repository index: the full message (bucket, key, path, digests)
 * only to admins; anyone else gets the reason code, which tells an operator what to look up in
 * the logs without describing the storage to every client.
 */
function failure(st: { error: string; reason: string }, detailed: boolean): string {
  return detailed
    ? st.error
    : `failed to load (${st.reason}); details in the server log or with the admin token`;
}

/** One line of the repository index (`POST /v2/repository/index`). */
export type RepositoryIndexEntry = {
  name: string;
  version: string;
  state: "READY" | "LOADING" | "UNAVAILABLE";
  reason: string;
};

/** Open Inference Protocol extensions this server implements beyond the required API. */
export const EXTENSIONS = [
  "binary_tensor_data",
  "classification",
  "model_repository_metadata",
  "v1_predict",
  "metrics",
] as const;

const OUTCOME_OF_KIND: Readonly<Record<ErrorKind, Outcome>> = Object.freeze({
  invalid_argument: "client_error",
  unauthenticated: "client_error",
  not_found: "client_error",
  conflict: "client_error",
  too_large: "client_error",
  unsupported_media: "client_error",
  resource_exhausted: "rejected",
  unavailable: "rejected",
  deadline_exceeded: "timeout",
  internal: "server_error",
});

function outcomeOf(err: unknown): Outcome {
  return err instanceof InfergateError ? OUTCOME_OF_KIND[err.kind] : "server_error";
}

/**
 * The transport-agnostic heart of the server: finds the model version, checks tensors against
 * its signature, runs it and records metrics. REST (and any later transport) are thin adapters.
 */
export class DataPlane {
  private draining = false;
  private started = false;

  constructor(
    readonly registry: ModelRegistry,
    private readonly shadow: ShadowRunner,
  ) {}

  /** Start-up loading is over: readiness may turn true from now on. */
  markStarted(): void {
    this.started = true;
  }

  live(): boolean {
    return true;
  }

  ready(): boolean {
    return this.started && !this.draining && this.registry.allReady();
  }

  /** Called on SIGTERM: readiness drops at once; in-flight work is left to finish. */
  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  serverMetadata() {
    return { name: SERVER_NAME, version: SERVER_VERSION, extensions: [...EXTENSIONS] };
  }

  /** Parses the optional `{version}` path segment; absent means "newest ready". */
  parseVersionParam(text: string | undefined): number | undefined {
    if (text === undefined) return undefined;
    const v = parseVersion(text);
    if (v === undefined) throw Errors.invalidVersion(text);
    return v;
  }

  modelMetadata(model: string, version: string | undefined) {
    const v = this.parseVersionParam(version);
    const served = this.registry.resolve(model, v);
    if (v !== undefined) return served.metadata;
    // Unversioned: the answering (stable) version's document, listing every ready version, newest first.
    const versions = [...this.registry.versions(model)]
      .filter(([, st]) => st.state === "ready")
      .map(([n]) => n)
      .sort((a, b) => b - a)
      .map(String);
    return { ...served.metadata, versions };
  }

  /**
   * Every model and version the server knows, in name and version order, with its state as
   * Triton and MLServer report it (`POST /v2/repository/index`): READY, LOADING, or UNAVAILABLE
   * with the load error as the reason; a model with no version found yet is one UNAVAILABLE
   * entry without a version. `readyOnly` keeps the READY ones.
   */
  repositoryIndex(readyOnly: boolean, detailed: boolean): RepositoryIndexEntry[] {
    const out: RepositoryIndexEntry[] = [];
    for (const name of this.registry.modelNames()) {
      const versions = [...this.registry.versions(name)].sort(([a], [b]) => a - b);
      if (versions.length === 0 && !readyOnly)
        out.push({ name, version: "", state: "UNAVAILABLE", reason: "no version found in the repository" });
      for (const [version, st] of versions) {
        if (readyOnly && st.state !== "ready") continue;
        const state = st.state === "ready" ? "READY" : st.state === "loading" ? "LOADING" : "UNAVAILABLE";
        out.push({
          name,
          version: String(version),
          state,
          reason: st.state === "failed" ? failure(st, detailed) : "",
        });
      }
    }
    return out;
  }

  /** Readiness of a model (any ready version) or one version; unknown names are 404s. */
  modelReady(model: string, version: string | undefined): boolean {
    const v = this.parseVersionParam(version);
    if (!this.registry.has(model)) throw Errors.modelNotFound(model);
    try {
      this.registry.resolve(model, v);
      return !this.draining;
    } catch (err) {
      if (err instanceof InfergateError && err.kind === "unavailable") return false;
      throw err;
    }
  }

  /** Picks who answers a request (and who shadows it): see ModelRegistry.route. */
  route(model: string, version: string | undefined, routingKey: string | undefined): Route {
    return this.registry.route(model, this.parseVersionParam(version), routingKey);
  }

  /**
   * Decodes (through the transport's codec) and runs a request on a routed version. Decoding
   * happens here so that malformed requests count as client errors of that model version. A
   * shadow candidate gets the same inputs after the answer is ready, off the response path.
   */
  async infer(
    route: Route,
    decode: (target: DecodeTarget) => InferenceRequest,
    timeoutMs?: number,
  ): Promise<InferenceResult> {
    const served = route.served;
    const m = served.metrics(route.track);
    served.enter();
    m.inflight.inc();
    const start = process.hrtime.bigint();
    try {
      const request = decode(served.decodeTarget);
      served.checkInputSet(request.inputs);
      const outputNames = served.selectOutputs(request.outputs);
      const outputs = await served.run(request.inputs, outputNames, request.timeoutMs ?? timeoutMs);
      const answer = request.classification
        ? classifyOutputs(outputs, request.classification, served.batchable, served.labelsFor)
        : outputs;
      served.countPredictions(outputs, m.classes);
      m.outcomes.success.inc();
      if (route.shadow) this.shadow.submit(served, route.shadow, request.inputs, outputs);
      return { model: served.model, version: served.version, id: request.id, outputs: answer };
    } catch (err) {
      m.outcomes[outcomeOf(err)].inc();
      if (err instanceof InfergateError) throw err;
      throw Object.assign(Errors.inferenceFailed(served.model, served.version), { cause: err });
    } finally {
      m.duration.observe(secondsSince(start));
      m.inflight.dec();
      served.leave();
    }
  }
}
