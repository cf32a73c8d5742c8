import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../../src/canary-judge/definition/durations.js";

describe("Prometheus durations", () => {
  it("durations", () => {
    expect(["40s", "5m", "1h30m", "500ms", "1d"].map(parseDuration)).toEqual([40, 300, 5400, 0.5, 86400]);
    expect(() => parseDuration("5 minutes")).toThrow(RangeError);
    expect([40, 300, 3600, 90, 0.5].map(formatDuration)).toEqual(["40s", "5m", "1h", "90s", "500ms"]);
  });
});
