import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/args.js";
import { parseDuration, parseGateArgs } from "../../src/load-gate/options.js";

describe("gate:load argument handling", () => {
  it("parses stages, thresholds and durations", () => {
    const o = parseGateArgs([
      "--stage",
      "smoke",
      "--p95-ms",
      "0.01",
      "--max-error-rate",
      "0",
      "--duration",
      "1m30s",
    ]);
    expect(o).toMatchObject({
      stage: "smoke",
      p95Ms: 0.01,
      maxErrorRate: 0,
      duration: "1m30s",
      built: false,
    });
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(() => parseGateArgs(["--stage", "soak"])).toThrow(/expected one of/);
    expect(() => parseGateArgs(["--rate", "-3"])).toThrow(/--rate/);
    expect(() => parseGateArgs(["--duration", "10 parsecs"])).toThrow(/invalid duration/);
    expect(() => parseGateArgs(["--candidate", "a", "--model-repository", "b"])).toThrow(/alternatives/);
    expect(() => parseGateArgs(["--base-url", "http://x:1", "--built"])).toThrow(/running service/);
  });

  it("turns unknown flags and missing values into usage errors; --server-env into a map", () => {
    expect(() => parseGateArgs(["--stag", "smoke"])).toThrow(UsageError);
    expect(() => parseGateArgs(["--stag", "smoke"])).toThrow(/--stag/);
    expect(() => parseGateArgs(["--rate"])).toThrow(UsageError);
    expect(() => parseGateArgs(["extra"])).toThrow(UsageError);
    expect(parseGateArgs([]).serverEnv).toEqual({});
    const o = parseGateArgs(["--server-env", "A=1", "--server-env", "B=x=y"]);
    expect(o.serverEnv).toEqual({ A: "1", B: "x=y" });
    expect(o.readyTimeoutMs).toBe(90_000);
    expect(() => parseGateArgs(["--server-env", "=1"])).toThrow(/KEY=VALUE/);
  });
});
