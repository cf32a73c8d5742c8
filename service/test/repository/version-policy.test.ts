import { describe, expect, it } from "vitest";
import { parseVersion, parseVersionPolicy, selectVersions } from "../../src/repository/version-policy.js";

describe("version policy", () => {
  it("parses latest, all and specific", () => {
    expect(parseVersionPolicy("latest")).toEqual({ kind: "latest", count: 1 });
    expect(parseVersionPolicy("latest:3")).toEqual({ kind: "latest", count: 3 });
    expect(parseVersionPolicy("all")).toEqual({ kind: "all" });
    expect(parseVersionPolicy("specific:3,1,3")).toEqual({ kind: "specific", versions: [1, 3] });
  });

  it.each(["latest:0", "specific:", "specific:1,x", "specific:01", "newest", ""])("rejects %j", (text) => {
    expect(() => parseVersionPolicy(text)).toThrow();
  });

  it("selects versions from what the repository has", () => {
    const have = [3, 1, 10, 2];
    expect(selectVersions({ kind: "latest", count: 2 }, have)).toEqual([3, 10]);
    expect(selectVersions({ kind: "all" }, have)).toEqual([1, 2, 3, 10]);
    expect(selectVersions({ kind: "specific", versions: [2, 7] }, have)).toEqual([2]);
  });

  it("accepts only positive integers without leading zeros as versions", () => {
    expect(parseVersion("12")).toBe(12);
    for (const bad of ["0", "01", "-1", "1.5", "v1", "", "1e3"]) expect(parseVersion(bad)).toBeUndefined();
  });
});
