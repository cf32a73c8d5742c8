import { availableParallelism, tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { BUNDLED_REPOSITORY } from "../../src/paths.js";
import { ConfigError, loadConfig } from "../../src/process/config.js";
import { defaultWorkers } from "../../src/process/resources.js";

describe("loadConfig", () => {
  it("gives a working default with no environment: the bundled repository, port 8080", () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.repository).toBe(`file://${BUNDLED_REPOSITORY}`);
    expect(c.versionPolicy).toEqual({ kind: "latest", count: 1 });
    expect(c.runtime).toEqual({
      intraOpThreads: 1,
      graphOptimizationLevel: "all",
      executionProviders: ["cpu"],
    });
    expect(c.track).toBeUndefined(); // not pinned: in-server tracks label their own metrics
    expect(c.adminToken).toBeUndefined();
    expect(c.pollIntervalMs).toBe(30_000);
    expect(c.routingKeyHeader).toBe("x-routing-key");
    expect(c.tracks).toEqual({});
    expect(c.workers).toBe(defaultWorkers());
    expect(c.batching).toEqual({ enabled: true, maxBatchSize: 32, maxQueueDelayUs: 0, maxQueueSize: 256 });
  });

  it("sizes the default worker count by the cgroup CPU quota when one is set", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const dir = mkdtempSync(`${tmpdir()}/cpu-max-`);
    writeFileSync(`${dir}/cpu.max`, "150000 100000\n");
    expect(defaultWorkers(`${dir}/cpu.max`)).toBe(Math.min(2, availableParallelism()));
    writeFileSync(`${dir}/cpu.max`, "max 100000\n");
    expect(defaultWorkers(`${dir}/cpu.max`)).toBe(availableParallelism());
    expect(defaultWorkers(`${dir}/missing`)).toBe(availableParallelism());
    expect(loadConfig({ INFERGATE_WORKERS: "3" }).workers).toBe(3);
  });

  it("returns a deeply frozen object", () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.s3)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("parses every documented variable", () => {
    const c = loadConfig({
      PORT: "9000",
      HOST: "127.0.0.1",
      LOG_LEVEL: "debug",
      INFERGATE_MODEL_REPOSITORY: "s3://bucket/some/prefix",
      INFERGATE_MODEL_CACHE_DIR: "/var/cache/infergate",
      INFERGATE_MODELS: "digits, other",
      INFERGATE_VERSION_POLICY: "specific:2,1",
      INFERGATE_S3_ENDPOINT: "http://127.0.0.1:9999",
      INFERGATE_S3_FORCE_PATH_STYLE: "true",
      AWS_REGION: "eu-west-1",
      INFERGATE_INTRA_OP_THREADS: "2",
      INFERGATE_GRAPH_OPTIMIZATION_LEVEL: "basic",
      INFERGATE_BODY_LIMIT_BYTES: "2048",
      INFERGATE_DRAIN_TIMEOUT_MS: "500",
      INFERGATE_TRACK: "canary",
    });
    expect(c.port).toBe(9000);
    expect(c.repository).toBe("s3://bucket/some/prefix");
    expect(c.models).toEqual(["digits", "other"]);
    expect(c.versionPolicy).toEqual({ kind: "specific", versions: [1, 2] });
    expect(c.s3).toEqual({
      endpoint: "http://127.0.0.1:9999",
      forcePathStyle: true,
      region: "eu-west-1",
      maxAttempts: 4,
    });
    expect(c.runtime.intraOpThreads).toBe(2);
    expect(c.bodyLimitBytes).toBe(2048);
    expect(c.track).toBe("canary");
  });

  it("treats an absolute path as a file:// repository and empty strings as unset", () => {
    expect(loadConfig({ INFERGATE_MODEL_REPOSITORY: "/models" }).repository).toBe("file:///models");
    expect(loadConfig({ PORT: "" }).port).toBe(8080);
  });

  it.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["INFERGATE_MODEL_REPOSITORY", "http://example.com/models"],
    ["INFERGATE_VERSION_POLICY", "newest"],
    ["INFERGATE_GRAPH_OPTIMIZATION_LEVEL", "max"],
    ["INFERGATE_S3_FORCE_PATH_STYLE", "yes"],
    ["LOG_LEVEL", "verbose"],
    ["INFERGATE_MODELS", "a/b"],
    ["INFERGATE_MODELS", ".."],
    ["INFERGATE_MODELS", "digits,.hidden"],
    ["INFERGATE_MAX_MODEL_BYTES", "12"],
    ["INFERGATE_TRACK", "blue"],
    ["INFERGATE_ADMIN_TOKEN", "short"],
    ["INFERGATE_TRACKS", "{not json"],
    ["INFERGATE_TRACKS", '{"digits":{"mode":"canary","weight":0.1}}'],
    ["INFERGATE_ROUTING_KEY_HEADER", "x key"],
  ])("fails fast naming %s when it is %j", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});
