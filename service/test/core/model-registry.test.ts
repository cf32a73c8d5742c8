import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { cp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ModelLoader } from "../../src/core/model-loader.js";
import { ModelRegistry, stickyFraction, type VersionState } from "../../src/core/model-registry.js";
import { Reconciler } from "../../src/core/reconciler.js";
import { ServedVersion } from "../../src/core/served-version.js";
import { Metrics } from "../../src/metrics/service-metrics.js";
import { loadConfig } from "../../src/process/config.js";
import { FileSource } from "../../src/repository/file-source.js";
import { parseManifest } from "../../src/repository/manifest.js";
import type { TrackPointer } from "../../src/repository/track-pointer.js";
import { validationRows } from "../support/data.js";
import { thrown } from "../support/errors.js";
import { BUNDLED_REPOSITORY } from "../support/paths.js";
import { type TempRepo, tempRepository } from "../support/temp-repo.js";

const MODEL = "digits";
/** The routing secret of every registry here (the server makes or is given one). */
const SECRET = "test-routing-secret";
const manifest = parseManifest(
  readFileSync(join(BUNDLED_REPOSITORY, MODEL, "1", "manifest.json"), "utf8"),
  "digits/1/manifest.json",
);
const metrics = new Metrics();
const originalRelease = ServedVersion.prototype.release;

/** A served version without a session: the registry only looks at its identity and number. */
function served(version: number, model = MODEL): ServedVersion {
  return new ServedVersion(
    model,
    version,
    { ...manifest, name: model, version },
    async () => [],
    metrics.forVersion(model, version),
    async () => {},
    32,
  );
}

/** A registry where `versions` of `model` are ready; returns them by number. */
function withReady(registry: ModelRegistry, ...versions: number[]): Map<number, ServedVersion> {
  const out = new Map<number, ServedVersion>();
  for (const v of versions) {
    const s = served(v);
    registry.set(MODEL, v, { state: "ready", served: s });
    out.set(v, s);
  }
  return out;
}

const notFound = (model: string) => ({
  code: "MODEL_NOT_FOUND",
  kind: "not_found", // 404
  message: `model "${model}" is not served here`,
});
const versionNotFound = (v: number) => ({
  code: "VERSION_NOT_FOUND",
  kind: "not_found", // 404
  message: `model "${MODEL}" has no version ${v} served here`,
});
const notReady = (v?: number) => ({
  code: "MODEL_NOT_READY",
  kind: "unavailable", // 503
  message:
    v === undefined ? `model "${MODEL}" has no ready version` : `model "${MODEL}" version ${v} is not ready`,
  retryAfterSeconds: 1,
});

const pointer = (p: Partial<TrackPointer>): TrackPointer => ({ mode: "off", weight: 0, ...p });
const KEYS = Array.from({ length: 1000 }, (_, i) => `user-${i}`);

describe("ModelRegistry lookups", () => {
  it("answers 404 for a model it was never told about, and reports nothing for it", () => {
    const registry = new ModelRegistry(SECRET);
    expect(thrown(() => registry.resolve("nope", undefined))).toMatchObject(notFound("nope"));
    expect(thrown(() => registry.resolve("nope", 1))).toMatchObject(notFound("nope"));
    expect(thrown(() => registry.route("nope", undefined, "k"))).toMatchObject(notFound("nope"));
    expect(registry.has("nope")).toBe(false);
    expect(registry.versions("nope").size).toBe(0);
    expect(registry.tracks("nope")).toEqual({ stable: undefined, candidate: undefined });
    expect(registry.pointer("nope")).toBeUndefined();
    expect(registry.modelNames()).toEqual([]);
    expect(registry.allReady()).toBe(false); // an empty registry is not ready
  });

  it("answers 503 (retry later) for a declared model with nothing ready, 404 for a version it does not have", () => {
    const registry = new ModelRegistry(SECRET);
    registry.declare(MODEL);
    expect(registry.has(MODEL)).toBe(true);
    expect(registry.modelNames()).toEqual([MODEL]);
    expect(thrown(() => registry.resolve(MODEL, undefined))).toMatchObject(notReady());
    expect(thrown(() => registry.route(MODEL, undefined, undefined))).toMatchObject(notReady());
    expect(thrown(() => registry.resolve(MODEL, 1))).toMatchObject(versionNotFound(1));
    expect(registry.allReady()).toBe(false);
  });

  it("answers 503 for a version that is loading or failed, 404 for one never seen", () => {
    const registry = new ModelRegistry(SECRET);
    const states: [number, VersionState][] = [
      [1, { state: "loading" }],
      [2, { state: "failed", error: "digest mismatch", reason: "digest_mismatch" }],
    ];
    for (const [v, st] of states) registry.set(MODEL, v, st);
    for (const [v] of states) expect(thrown(() => registry.resolve(MODEL, v))).toMatchObject(notReady(v));
    expect(thrown(() => registry.route(MODEL, 2, "k"))).toMatchObject(notReady(2));
    expect(thrown(() => registry.resolve(MODEL, 9))).toMatchObject(versionNotFound(9));
    expect(thrown(() => registry.resolve(MODEL, undefined))).toMatchObject(notReady());
    expect([...registry.versions(MODEL).entries()]).toEqual(states);
    expect(registry.readyVersions()).toEqual([]);
  });

  it("sends unversioned requests to the newest ready version, whatever order versions became ready in", () => {
    const registry = new ModelRegistry(SECRET);
    const ready = withReady(registry, 2, 1);
    expect(registry.resolve(MODEL, undefined)).toBe(ready.get(2));
    expect(registry.route(MODEL, undefined, undefined)).toEqual({
      served: ready.get(2),
      track: "stable",
      shadow: undefined,
    });
    expect(registry.resolve(MODEL, 1)).toBe(ready.get(1)); // a specific version stays reachable
    expect(registry.resolve(MODEL, 1).version).toBe(1);
  });

  it("keeps the old version answering while a newer one loads or fails (no gap)", () => {
    const registry = new ModelRegistry(SECRET);
    const ready = withReady(registry, 1);
    registry.set(MODEL, 2, { state: "loading" });
    expect(registry.resolve(MODEL, undefined)).toBe(ready.get(1));
    expect(registry.allReady()).toBe(true); // a reload in progress does not make the server unready
    registry.set(MODEL, 2, { state: "failed", error: "warm-up failed", reason: "warmup" });
    expect(registry.resolve(MODEL, undefined)).toBe(ready.get(1));
    const v2 = served(2);
    registry.set(MODEL, 2, { state: "ready", served: v2 });
    expect(registry.resolve(MODEL, undefined)).toBe(v2); // switched in one update
  });

  it("falls back to the next newest ready version when the answering one is removed, then to 503", () => {
    const registry = new ModelRegistry(SECRET);
    const ready = withReady(registry, 1, 2, 3);
    registry.remove(MODEL, 3);
    expect(registry.resolve(MODEL, undefined)).toBe(ready.get(2));
    expect(thrown(() => registry.resolve(MODEL, 3))).toMatchObject(versionNotFound(3));
    registry.remove(MODEL, 2);
    registry.remove(MODEL, 1);
    expect(thrown(() => registry.resolve(MODEL, undefined))).toMatchObject(notReady());
    expect(registry.has(MODEL)).toBe(true); // still declared: readiness waits for it
    registry.remove("ghost", 1); // removing from an unknown model is a no-op, and declares nothing
    expect(registry.has("ghost")).toBe(false);
  });

  it("is ready only when every declared model has a version answering; lists ready versions", () => {
    const registry = new ModelRegistry(SECRET);
    const ready = withReady(registry, 1);
    registry.declare("other");
    expect(registry.allReady()).toBe(false);
    registry.set("other", 5, { state: "loading" });
    expect(registry.allReady()).toBe(false);
    const other = served(5, "other");
    registry.set("other", 5, { state: "ready", served: other });
    expect(registry.allReady()).toBe(true);
    registry.set(MODEL, 2, { state: "failed", error: "x", reason: "session" });
    expect(registry.modelNames()).toEqual([MODEL, "other"]);
    expect(registry.readyVersions()).toEqual([ready.get(1), other]);
  });
});

describe("ModelRegistry track pointer", () => {
  it("pins stable to the pointer's version instead of the newest", () => {
    const registry = new ModelRegistry(SECRET);
    const ready = withReady(registry, 1, 2);
    const p = pointer({ stable: 1 });
    registry.setPointer(MODEL, p);
    expect(registry.pointer(MODEL)).toBe(p);
    expect(registry.resolve(MODEL, undefined)).toBe(ready.get(1));
    expect(registry.tracks(MODEL)).toEqual({ stable: ready.get(1), candidate: undefined });
    registry.setPointer(MODEL, undefined); // cleared: back to the newest
    expect(registry.resolve(MODEL, undefined)).toBe(ready.get(2));
  });

  it("falls back to the newest ready version while the pointer's stable is not ready, and switches when it is", () => {
    const registry = new ModelRegistry(SECRET);
    const ready = withReady(registry, 1, 2);
    registry.setPointer(MODEL, pointer({ stable: 3 }));
    expect(registry.resolve(MODEL, undefined)).toBe(ready.get(2));
    registry.set(MODEL, 3, { state: "loading" });
    expect(registry.resolve(MODEL, undefined)).toBe(ready.get(2));
    const v3 = served(3);
    registry.set(MODEL, 3, { state: "ready", served: v3 });
    expect(registry.resolve(MODEL, undefined)).toBe(v3); // no second setPointer needed
  });

  it("declares a model when its pointer is set before any version exists", () => {
    const registry = new ModelRegistry(SECRET);
    registry.setPointer(MODEL, pointer({ stable: 1 }));
    expect(registry.has(MODEL)).toBe(true);
    expect(thrown(() => registry.resolve(MODEL, undefined))).toMatchObject(notReady());
  });

  it("activates a candidate only once it is ready and the mode is not off", () => {
    const registry = new ModelRegistry(SECRET);
    const ready = withReady(registry, 1);
    registry.set(MODEL, 2, { state: "loading" });
    registry.setPointer(MODEL, pointer({ stable: 1, candidate: 2, mode: "canary", weight: 1 }));
    expect(registry.tracks(MODEL)).toEqual({ stable: ready.get(1), candidate: undefined });
    expect(registry.route(MODEL, undefined, "k").served).toBe(ready.get(1));
    const v2 = served(2);
    registry.set(MODEL, 2, { state: "ready", served: v2 });
    expect(registry.tracks(MODEL)).toEqual({ stable: ready.get(1), candidate: v2 });
    expect(registry.route(MODEL, undefined, "k")).toEqual({ served: v2, track: "canary", shadow: undefined });
    registry.setPointer(MODEL, pointer({ stable: 1, candidate: 2, mode: "off", weight: 1 }));
    expect(registry.tracks(MODEL).candidate).toBeUndefined();
    expect(registry.route(MODEL, undefined, "k")).toEqual({
      served: ready.get(1),
      track: "stable",
      shadow: undefined,
    });
  });

  it("drops a candidate that is the version answering as stable (pointer's stable not ready)", () => {
    const registry = new ModelRegistry(SECRET);
    const ready = withReady(registry, 1, 2);
    registry.setPointer(MODEL, pointer({ stable: 3, candidate: 2, mode: "canary", weight: 1 }));
    expect(registry.tracks(MODEL)).toEqual({ stable: ready.get(2), candidate: undefined });
    expect(registry.route(MODEL, undefined, "k")).toEqual({
      served: ready.get(2),
      track: "stable",
      shadow: undefined,
    });
  });
});

describe("ModelRegistry routing", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("stickyFraction is the key's HMAC-SHA256 under the routing secret, scaled to [0, 1)", () => {
    const hmac = (key: string, secret: string) =>
      createHmac("sha256", secret).update(key).digest().readUInt32BE(0) / 2 ** 32;
    for (const k of ["", "a", "foobar", ...KEYS.slice(0, 50)]) {
      expect(stickyFraction(k, SECRET)).toBe(hmac(k, SECRET));
      expect(stickyFraction(k, SECRET)).toBeGreaterThanOrEqual(0);
      expect(stickyFraction(k, SECRET)).toBeLessThan(1);
    }
    // Another secret, another split: without the server's secret a client cannot pick its side.
    const sides = (secret: string) => KEYS.map((k) => stickyFraction(k, secret) < 0.5);
    const differ = sides(SECRET).filter((side, i) => side !== sides("another-secret-of-16")[i]).length;
    expect(differ).toBeGreaterThan(KEYS.length / 4);
  });

  it("canary: a key goes to the candidate exactly when its fraction is below the weight, every time", () => {
    const registry = new ModelRegistry(SECRET);
    const ready = withReady(registry, 1, 2);
    registry.setPointer(MODEL, pointer({ stable: 1, candidate: 2, mode: "canary", weight: 0.25 }));
    let toCandidate = 0;
    for (const key of KEYS) {
      const route = registry.route(MODEL, undefined, key);
      const expected = stickyFraction(key, SECRET) < 0.25;
      expect(route).toEqual(
        expected
          ? { served: ready.get(2), track: "canary", shadow: undefined }
          : { served: ready.get(1), track: "stable", shadow: undefined },
      );
      expect(registry.route(MODEL, undefined, key).served).toBe(route.served); // sticky
      if (expected) toCandidate++;
    }
    expect(toCandidate).toBe(267); // of 1000 keys at weight 0.25 (under SECRET)
  });

  it("canary without a routing key draws at random, the weight being a strict upper bound", () => {
    const registry = new ModelRegistry(SECRET);
    withReady(registry, 1, 2);
    registry.setPointer(MODEL, pointer({ stable: 1, candidate: 2, mode: "canary", weight: 0.25 }));
    const random = vi.spyOn(Math, "random");
    const answers = [0.1, 0.2499, 0.25, 0.9].map((draw) => {
      random.mockReturnValueOnce(draw);
      return registry.route(MODEL, undefined, undefined).served.version;
    });
    expect(answers).toEqual([2, 2, 1, 1]);
    expect(random).toHaveBeenCalledTimes(4);
  });

  it("canary weight 0 sends nothing to the candidate, weight 1 everything", () => {
    const registry = new ModelRegistry(SECRET);
    withReady(registry, 1, 2);
    registry.setPointer(MODEL, pointer({ stable: 1, candidate: 2, mode: "canary", weight: 0 }));
    expect(new Set(KEYS.map((k) => registry.route(MODEL, undefined, k).served.version))).toEqual(
      new Set([1]),
    );
    registry.setPointer(MODEL, pointer({ stable: 1, candidate: 2, mode: "canary", weight: 1 }));
    expect(new Set(KEYS.map((k) => registry.route(MODEL, undefined, k).served.version))).toEqual(
      new Set([2]),
    );
  });

  it("shadow: stable always answers; the candidate shadows the keys below the weight", () => {
    const registry = new ModelRegistry(SECRET);
    const ready = withReady(registry, 2, 3);
    registry.setPointer(MODEL, pointer({ stable: 2, candidate: 3, mode: "shadow", weight: 0.25 }));
    let shadowed = 0;
    for (const key of KEYS) {
      const route = registry.route(MODEL, undefined, key);
      const expected = stickyFraction(key, SECRET) < 0.25;
      expect(route).toEqual({
        served: ready.get(2),
        track: "stable",
        shadow: expected ? ready.get(3) : undefined,
      });
      if (expected) shadowed++;
    }
    expect(shadowed).toBe(267);
    registry.setPointer(MODEL, pointer({ stable: 2, candidate: 3, mode: "shadow", weight: 1 }));
    expect(KEYS.every((k) => registry.route(MODEL, undefined, k).shadow === ready.get(3))).toBe(true);
  });

  it("never reroutes a versioned request, and counts it as direct, not as the candidate's canary", () => {
    const registry = new ModelRegistry(SECRET);
    const ready = withReady(registry, 1, 2);
    registry.set(MODEL, 3, { state: "loading" });
    registry.setPointer(MODEL, pointer({ stable: 1, candidate: 2, mode: "canary", weight: 1 }));
    for (const key of ["user-1", "user-42", undefined]) {
      expect(registry.route(MODEL, 1, key)).toEqual({
        served: ready.get(1),
        track: "direct",
        shadow: undefined,
      });
      expect(registry.route(MODEL, 2, key)).toEqual({
        served: ready.get(2),
        track: "direct",
        shadow: undefined,
      });
    }
    expect(thrown(() => registry.route(MODEL, 3, "k"))).toMatchObject(notReady(3));
    expect(thrown(() => registry.route(MODEL, 9, "k"))).toMatchObject(versionNotFound(9));
    registry.setPointer(MODEL, pointer({ stable: 1, mode: "off" })); // rolled back
    expect(registry.route(MODEL, 2, "k")).toEqual({
      served: ready.get(2),
      track: "direct",
      shadow: undefined,
    });
  });
});

/**
 * The registry during real reloads: the shipped digits models, loaded by the real loader from a
 * FileSource, reconciled by the real Reconciler. Every registry update is recorded with the
 * version answering unversioned requests right after it, so a gap would show as "none".
 */
describe("ModelRegistry through a reload (shipped digits models, real loader)", () => {
  class RecordingRegistry extends ModelRegistry {
    readonly events: string[] = [];
    override set(model: string, version: number, state: VersionState): void {
      super.set(model, version, state);
      this.record(`set ${version} ${state.state}`);
    }
    override remove(model: string, version: number): void {
      super.remove(model, version);
      this.record(`remove ${version}`);
    }
    record(what: string): void {
      this.events.push(`${what} → answering ${this.tracks(MODEL).stable?.version ?? "none"}`);
    }
  }

  let repo: TempRepo;
  let registry: RecordingRegistry;
  let reconciler: Reconciler;
  let releases: { version: number; done: Promise<void> }[];
  let leaves: (() => void)[];
  /** A request in flight on `served` until the returned function (or cleanup) ends it. */
  const inFlight = (served: ServedVersion) => {
    served.enter();
    let left = false;
    const leave = () => {
      if (!left) served.leave();
      left = true;
    };
    leaves.push(leave);
    return leave;
  };

  beforeEach(async () => {
    repo = tempRepository();
    registry = new RecordingRegistry(SECRET);
    const config = loadConfig({ INFERGATE_MODEL_REPOSITORY: repo.root, INFERGATE_POLL_INTERVAL_MS: "0" });
    const source = new FileSource(repo.root);
    const logger = pino({ level: "silent" });
    const m = new Metrics();
    const loader = new ModelLoader({ source, registry, metrics: m, logger, config });
    reconciler = new Reconciler({ source, registry, loader, metrics: m, logger, config });
    releases = [];
    leaves = [];
    vi.spyOn(ServedVersion.prototype, "release").mockImplementation(function (this: ServedVersion) {
      registry.record(`release ${this.version} called`);
      const done = originalRelease.call(this).then(() => registry.record(`release ${this.version} done`));
      releases.push({ version: this.version, done });
      return done;
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const leave of leaves) leave(); // a failed assertion must not leave a release waiting forever
    await Promise.all(releases.map((r) => r.done));
    await Promise.allSettled(registry.readyVersions().map((v) => originalRelease.call(v)));
    repo.cleanup();
  });

  it("loads and warms version 2 beside 1, switches in one update, and only then retires 1", async () => {
    await rm(join(repo.root, MODEL, "2"), { recursive: true });
    expect(await reconciler.reconcile("startup")).toEqual({
      loaded: ["digits/1"],
      failed: [],
      unloaded: [],
      pointers: { digits: null },
    });
    expect(registry.events).toEqual(["set 1 loading → answering none", "set 1 ready → answering 1"]);
    registry.events.length = 0;

    const v1 = registry.resolve(MODEL, undefined);
    const leaveV1 = inFlight(v1); // a request in flight on version 1 across the switch
    await cp(join(BUNDLED_REPOSITORY, MODEL, "2"), join(repo.root, MODEL, "2"), { recursive: true });
    expect(await reconciler.reconcile("poll")).toEqual({
      loaded: ["digits/2"],
      failed: [],
      unloaded: ["digits/1"],
      pointers: { digits: null },
    });
    expect(registry.events).toEqual([
      "set 2 loading → answering 1",
      "set 2 ready → answering 2",
      "remove 1 → answering 2",
      "release 1 called → answering 2",
    ]);
    expect(registry.resolve(MODEL, undefined).version).toBe(2);
    expect([...registry.versions(MODEL).keys()]).toEqual([2]);
    expect(thrown(() => registry.resolve(MODEL, 1))).toMatchObject(versionNotFound(1));

    // Retired but not released: the in-flight request still runs on version 1's session.
    const row = validationRows()[0] as { features: number[] };
    const out = await v1.run(
      [{ name: "input", datatype: "FP32", shape: [1, 64], values: Float32Array.from(row.features) }],
      ["label"],
    );
    expect(out.map((t) => [t.name, t.datatype, t.shape])).toEqual([["label", "INT64", [1]]]);
    await new Promise((r) => setTimeout(r, 50));
    expect(registry.events.some((e) => e.startsWith("release 1 done"))).toBe(false);
    leaveV1(); // the last request on version 1 finishes: now its session goes
    await releases[0]?.done;
    expect(registry.events.at(-1)).toBe("release 1 done → answering 2");
    expect(releases.map((r) => r.version)).toEqual([1]);
  });

  it("never lets a version that fails to load take traffic, and unloads nothing for it", async () => {
    expect((await reconciler.reconcile("startup")).loaded).toEqual(["digits/2"]); // latest:1
    registry.events.length = 0;
    // Version 3: the shipped v2 manifest, renumbered, beside bytes that do not match its sha256.
    const m2 = JSON.parse(readFileSync(join(BUNDLED_REPOSITORY, MODEL, "2", "manifest.json"), "utf8"));
    await cp(join(BUNDLED_REPOSITORY, MODEL, "2"), join(repo.root, MODEL, "3"), { recursive: true });
    await writeFile(join(repo.root, MODEL, "3", "model.onnx"), "not an onnx model");
    await writeFile(join(repo.root, MODEL, "3", "manifest.json"), JSON.stringify({ ...m2, version: 3 }));

    expect(await reconciler.reconcile("poll")).toEqual({
      loaded: [],
      failed: ["digits/3"],
      unloaded: [],
      pointers: { digits: null },
    });
    expect(registry.events).toEqual(["set 3 loading → answering 2", "set 3 failed → answering 2"]);
    expect(registry.resolve(MODEL, undefined).version).toBe(2);
    expect(thrown(() => registry.resolve(MODEL, 3))).toMatchObject(notReady(3));
    const st = registry.versions(MODEL).get(3);
    expect(st?.state === "failed" && st.error).toMatch(/sha256 [0-9a-f]{64} does not match the manifest's/);
    expect(releases).toEqual([]);
    expect(registry.allReady()).toBe(true);
  });
});
