import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeCounts, diffCounts, parseTrackCounts } from "../lib/tracks.js";

describe("bench track counts", () => {
  it("sums successful requests per track and dropped shadow runs from an exposition", () => {
    const text = readFileSync(new URL("./fixtures/tracks-metrics.txt", import.meta.url), "utf8");
    const counts = parseTrackCounts(text);
    expect(counts).toEqual({ stable: 905, canary: 95, shadow: 0, shadowDropped: 3 });
    expect(describeCounts(counts)).toBe(
      "stable 90.5 %, canary 9.5 %, shadow ran 0.0 % of answers, 3 dropped",
    );
    expect(diffCounts(counts, { stable: 5, canary: 5, shadow: 0, shadowDropped: 1 })).toEqual({
      stable: 900,
      canary: 90,
      shadow: 0,
      shadowDropped: 2,
    });
  });
});
