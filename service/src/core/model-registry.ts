import { createHmac } from "node:crypto";
import type { Track } from "../contract/tracks.js";
import { Errors } from "../errors.js";
import type { TrackPointer } from "../repository/track-pointer.js";
import type { ServedVersion } from "./served-version.js";

export type VersionState =
  | { state: "loading" }
  | { state: "ready"; served: ServedVersion }
  /** `reason`: the ModelLoadError reason (digest_mismatch, too_large, …), safe to show anyone. */
  | { state: "failed"; error: string; reason: string };

type ModelSlot = {
  versions: Map<number, VersionState>;
  /** The newest ready version: where unversioned requests go without a pointer. */
  newest: ServedVersion | undefined;
  pointer: TrackPointer | undefined;
  /** Resolved from the pointer on every change, so routing is two reads and a compare. */
  stable: ServedVersion | undefined;
  candidate: ServedVersion | undefined;
};

/** Where an unversioned request goes: who answers, under which track, and who shadows it. */
export type Route = { served: ServedVersion; track: Track; shadow: ServedVersion | undefined };

/**
 * A routing key's place in [0, 1): HMAC-SHA256 of the key under the server's routing secret, so
 * the same key always lands on the same side, and no client can compute (and so choose) its side.
 */
export function stickyFraction(key: string, secret: string): number {
  return createHmac("sha256", secret).update(key).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Which model versions exist and what state each is in. The one place that answers "who serves
 * model m (version v)?"; lookups on the predict path are two Map reads.
 */
export class ModelRegistry {
  private readonly models = new Map<string, ModelSlot>();

  /** `routingSecret` keys sticky routing (stickyFraction); every worker and pod shares it. */
  constructor(private readonly routingSecret: string) {}

  private slot(model: string): ModelSlot {
    let s = this.models.get(model);
    if (!s) {
      s = {
        versions: new Map(),
        newest: undefined,
        pointer: undefined,
        stable: undefined,
        candidate: undefined,
      };
      this.models.set(model, s);
    }
    return s;
  }

  private refresh(slot: ModelSlot): void {
    let newest: ServedVersion | undefined;
    for (const st of slot.versions.values()) {
      if (st.state === "ready" && (!newest || st.served.version > newest.version)) newest = st.served;
    }
    slot.newest = newest;
    const ready = (v: number | undefined) => {
      const st = v === undefined ? undefined : slot.versions.get(v);
      return st?.state === "ready" ? st.served : undefined;
    };
    // A pointer's stable that is not ready (yet) falls back to the newest ready version.
    slot.stable = ready(slot.pointer?.stable) ?? newest;
    const candidate = slot.pointer?.mode === "off" ? undefined : ready(slot.pointer?.candidate);
    slot.candidate = candidate === slot.stable ? undefined : candidate;
  }

  /** Installs (or clears) a model's track pointer; takes effect for the next request. */
  setPointer(model: string, pointer: TrackPointer | undefined): void {
    const slot = this.slot(model);
    slot.pointer = pointer;
    this.refresh(slot);
  }

  pointer(model: string): TrackPointer | undefined {
    return this.models.get(model)?.pointer;
  }

  /** The versions answering now: stable (or newest) and the active candidate. */
  tracks(model: string): { stable: ServedVersion | undefined; candidate: ServedVersion | undefined } {
    const slot = this.models.get(model);
    return { stable: slot?.stable, candidate: slot?.candidate };
  }

  /**
   * Routes a request. Versioned requests are never rerouted, and count under their own track,
   * `direct`: a client that names the candidate's version must not move the canary's metrics.
   * Unversioned: canary mode sends a `weight` share to the candidate (sticky per routing key),
   * shadow mode answers with stable and marks a share for shadowing.
   */
  route(model: string, version: number | undefined, routingKey: string | undefined): Route {
    const slot = this.models.get(model);
    if (!slot) throw Errors.modelNotFound(model);
    if (version !== undefined) {
      return { served: this.resolve(model, version), track: "direct", shadow: undefined };
    }
    const stable = slot.stable;
    if (!stable) throw Errors.modelNotReady(model);
    const candidate = slot.candidate;
    if (!candidate) return { served: stable, track: "stable", shadow: undefined };
    const pointer = slot.pointer as TrackPointer;
    const draw = routingKey === undefined ? Math.random() : stickyFraction(routingKey, this.routingSecret);
    const chosen = draw < pointer.weight;
    if (pointer.mode === "canary") {
      return chosen
        ? { served: candidate, track: "canary", shadow: undefined }
        : { served: stable, track: "stable", shadow: undefined };
    }
    return { served: stable, track: "stable", shadow: chosen ? candidate : undefined };
  }

  /** Declares a model even before any version loads, so readiness can wait for it. */
  declare(model: string): void {
    this.slot(model);
  }

  set(model: string, version: number, state: VersionState): void {
    const slot = this.slot(model);
    slot.versions.set(version, state);
    this.refresh(slot);
  }

  remove(model: string, version: number): void {
    const slot = this.models.get(model);
    if (!slot) return;
    slot.versions.delete(version);
    this.refresh(slot);
  }

  modelNames(): string[] {
    return [...this.models.keys()].sort();
  }

  has(model: string): boolean {
    return this.models.has(model);
  }

  versions(model: string): ReadonlyMap<number, VersionState> {
    return this.models.get(model)?.versions ?? new Map();
  }

  /** Resolves a request target or throws the matching 404/503. */
  resolve(model: string, version: number | undefined): ServedVersion {
    const slot = this.models.get(model);
    if (!slot) throw Errors.modelNotFound(model);
    if (version === undefined) {
      if (!slot.stable) throw Errors.modelNotReady(model);
      return slot.stable;
    }
    const st = slot.versions.get(version);
    if (!st) throw Errors.versionNotFound(model, version);
    if (st.state !== "ready") throw Errors.modelNotReady(model, version);
    return st.served;
  }

  /**
   * Every declared model has a version answering. Versions loading beside them (a reload) do
   * not make the server unready: what serves keeps serving.
   */
  allReady(): boolean {
    if (this.models.size === 0) return false;
    for (const slot of this.models.values()) if (!slot.stable) return false;
    return true;
  }

  readyVersions(): ServedVersion[] {
    const out: ServedVersion[] = [];
    for (const slot of this.models.values()) {
      for (const st of slot.versions.values()) if (st.state === "ready") out.push(st.served);
    }
    return out;
  }
}
