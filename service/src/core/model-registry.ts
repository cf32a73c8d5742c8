import { Errors } from "../errors.js";
import type { ServedVersion } from "./served-version.js";

export type VersionState =
  | { state: "loading" }
  | { state: "ready"; served: ServedVersion }
  | { state: "failed"; error: string }
  | { state: "unloading" };

type ModelSlot = {
  versions: Map<number, VersionState>;
  /** The newest ready version: where unversioned requests go. Kept current on every change. */
  newest: ServedVersion | undefined;
};

/**
 * Which model versions exist and what state each is in. The one place that answers "who serves
 * model m (version v)?"; lookups on the predict path are two Map reads.
 */
export class ModelRegistry {
  private readonly models = new Map<string, ModelSlot>();

  private slot(model: string): ModelSlot {
    let s = this.models.get(model);
    if (!s) {
      s = { versions: new Map(), newest: undefined };
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
      if (!slot.newest) throw Errors.modelNotReady(model);
      return slot.newest;
    }
    const st = slot.versions.get(version);
    if (!st) throw Errors.versionNotFound(model, version);
    if (st.state !== "ready") throw Errors.modelNotReady(model, version);
    return st.served;
  }

  /** Every declared model has a ready version and nothing is still loading. */
  allReady(): boolean {
    if (this.models.size === 0) return false;
    for (const slot of this.models.values()) {
      if (!slot.newest) return false;
      for (const st of slot.versions.values()) if (st.state === "loading") return false;
    }
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
