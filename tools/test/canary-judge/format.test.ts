import { describe, expect, it } from "vitest";
import { fmtP } from "../../src/canary-judge/format.js";

describe("number formatting", () => {
  it("p-value formatting", () => {
    expect([fmtP(1), fmtP(0.04567), fmtP(0.000123), fmtP(0)]).toEqual(["1", "0.0457", "1.23e-4", "<1e-12"]);
  });
});
