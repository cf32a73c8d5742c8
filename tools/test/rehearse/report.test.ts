import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../service/test/support/paths.js";
import type { RehearsalReport } from "../../src/rehearse/report/types.js";
import { infergate } from "../support/cli.js";

/**
 * Drift check of the committed rehearsal runs the README shows (docs/rehearsal/<scenario>): each
 * report.json is a real run's own record, and its chart and report.md must be exactly what
 * `infergate rehearse --from` renders from it today. And the runs show what the README says.
 */
const DOCS = join(REPO_ROOT, "docs", "rehearsal");
const out = await mkdtemp(join(tmpdir(), "infergate-rehearse-drift-"));
afterAll(() => rm(out, { recursive: true, force: true }));

const committed = async (scenario: string) =>
  JSON.parse(await readFile(join(DOCS, scenario, "report.json"), "utf8")) as RehearsalReport;

describe("committed rehearsal runs (docs/rehearsal)", () => {
  it.each(["good", "canary-regression"])(
    "%s: release.svg and report.md are what infergate rehearse --from renders from report.json",
    async (scenario) => {
      const dir = join(out, scenario);
      const r = await infergate([
        "rehearse",
        "--from",
        join(DOCS, scenario, "report.json"),
        "--report-dir",
        dir,
      ]);
      expect(r.code, r.stderr).toBe(0);
      for (const file of ["release.svg", "report.md"]) {
        expect(await readFile(join(dir, file), "utf8"), file).toBe(
          await readFile(join(DOCS, scenario, file), "utf8"),
        );
      }
    },
  );

  it("good: promoted through every stage, three promote verdicts, the GitOps commit, 0 failed", async () => {
    const r = await committed("good");
    expect(r).toMatchObject({ scenario: "good", outcome: "promoted", exit_code: 0 });
    expect(r.stages.every((s) => s.status === "passed")).toBe(true);
    expect(r.canary_steps.map((s) => [s.weight, s.verdict])).toEqual([
      [0.1, "promote"],
      [0.5, "promote"],
      [1, "promote"],
    ]);
    expect(r.gitops?.log[0]).toMatch(/^[0-9a-f]{7} model: digits v3 in prod$/);
    expect(r.production).toMatchObject({ failed: 0, stable_after: 3 });
    expect(Object.keys(r.timeline?.requests_per_second ?? {}).sort()).toEqual(["canary", "direct", "stable"]);
  });

  it("canary-regression: rolled back at 10 % by p95-latency, named in report.md and on the chart, 0 failed", async () => {
    const r = await committed("canary-regression");
    expect(r).toMatchObject({
      outcome: "rolled_back",
      exit_code: 1,
      production: { failed: 0, stable_after: 2 },
    });
    expect(r.caught_by).toContain("p95-latency");
    const md = await readFile(join(DOCS, "canary-regression", "report.md"), "utf8");
    expect(md).toContain("Caught by: `p95-latency`");
    const svg = await readFile(join(DOCS, "canary-regression", "release.svg"), "utf8");
    expect(svg).toContain('fill="#d62728">10% rollback</text>');
  });
});
