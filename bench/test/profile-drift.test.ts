import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ProfileRun, profileTable } from "../lib/profile-table.js";

/**
 * Drift check of the committed CPU profiles (issue #25): each bench/profile/<run>/ holds what
 * `npm run bench:profile -- --out bench/profile/<run>` wrote, less the raw .cpuprofile files.
 * Its profile.md must be exactly what lib/profile-table.ts renders from its profile.json today,
 * and every target profiled must have its flame graph beside them.
 */
const ROOT = "bench/profile";
const runs = existsSync(ROOT)
  ? readdirSync(ROOT).filter((d) => existsSync(join(ROOT, d, "profile.json")))
  : [];

describe("committed CPU profiles", () => {
  it("there are the runs before and after issue #25's service changes", () => {
    expect(runs.sort()).toEqual(["after", "before"]);
  });

  it.each(runs)("%s: profile.md is what profile.json renders to, with a flame graph per target", (run) => {
    const json = JSON.parse(readFileSync(join(ROOT, run, "profile.json"), "utf8")) as ProfileRun;
    expect(readFileSync(join(ROOT, run, "profile.md"), "utf8")).toBe(profileTable(json.results));
    expect(json.results.length).toBeGreaterThan(0);
    for (const r of json.results) {
      const svg = readFileSync(join(ROOT, run, `${r.target}-flame.svg`), "utf8");
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg).toContain(`${r.rps.toFixed(0)} req/s`);
    }
  });
});
