import { describe, expect, it } from "vitest";
import { parseDuration, parseGateArgs } from "../../../src/cli/load-gate/options.js";

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
});
