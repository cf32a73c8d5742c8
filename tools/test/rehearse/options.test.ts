import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../service/test/support/paths.js";
import { UsageError } from "../../src/cli/args.js";
import { checkCandidateFolder } from "../../src/rehearse/candidate.js";
import { parseRehearsalArgs } from "../../src/rehearse/options.js";
import { prepareReportDir } from "../../src/rehearse/report-dir.js";
import { SCENARIO_NAMES } from "../../src/rehearse/scenarios.js";
import { PRODUCTION } from "../../src/rehearse/setup.js";
import { infergate } from "../support/cli.js";

/** The rehearsal's command line and what it refuses before starting anything. */
const scratch = await mkdtemp(join(tmpdir(), "infergate-rehearse-options-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("infergate rehearse options", () => {
  it("defaults to scenario good, a report folder per scenario and a 20 s load gate", () => {
    const o = parseRehearsalArgs([]);
    expect(o).toMatchObject({ candidate: undefined, loadDuration: "20s", platform: "local" });
    expect("scenario" in o && o.scenario.name).toBe("good");
    expect(o.reportDir).toBe(resolve(".cache/rehearse/good"));
    expect(SCENARIO_NAMES).toEqual(["good", "accuracy-regression", "canary-regression", "slow"]);
  });

  it("refuses an unknown scenario, a candidate for a scenario with its own, a bad duration, --from alone", () => {
    expect(() => parseRehearsalArgs(["--scenario", "fast"])).toThrow(
      /--scenario fast: expected one of good, accuracy-regression, canary-regression, slow/,
    );
    expect(() => parseRehearsalArgs(["--scenario", "slow", "--candidate", "x"])).toThrow(
      /--candidate is for scenario good; slow brings its own candidate/,
    );
    expect(() => parseRehearsalArgs(["--load-duration", "soon"])).toThrow(UsageError);
    expect(() => parseRehearsalArgs(["--from", "report.json"])).toThrow(/--from needs --report-dir/);
    expect(() => parseRehearsalArgs(["--platform", "eks"])).toThrow(
      /--platform eks: expected one of local, kube/,
    );
    expect(parseRehearsalArgs(["--from", "r.json", "--report-dir", "out"])).toEqual({
      from: resolve("r.json"),
      reportDir: resolve("out"),
    });
  });

  it("runs production on the local control plane with --platform kube, for any scenario", () => {
    expect(parseRehearsalArgs(["--platform", "kube", "--scenario", "canary-regression"])).toMatchObject({
      platform: "kube",
      scenario: { name: "canary-regression" },
    });
  });

  it("takes a candidate of production's model with a newer version, and nothing else", () => {
    const degraded = `${REPO_ROOT}service/test/fixtures/models/degraded/digits/3`;
    expect(checkCandidateFolder(degraded, PRODUCTION, "fixture")).toMatchObject({
      model: "digits",
      version: 3,
    });
    expect(() => checkCandidateFolder(`${REPO_ROOT}models/repository/digits/2`, PRODUCTION, "x")).toThrow(
      /must be digits version 3 or more/,
    );
    expect(() => checkCandidateFolder(`${REPO_ROOT}models/repository/digits`, PRODUCTION, "x")).toThrow(
      /not a version folder/,
    );
  });

  it("replaces an earlier report, but never empties a folder that holds something else", async () => {
    const earlier = join(scratch, "earlier");
    await mkdir(join(earlier, "canary"), { recursive: true });
    await writeFile(join(earlier, "report.json"), "{}");
    await prepareReportDir(earlier);
    expect(await readdir(earlier)).toEqual(["logs"]);
    const other = join(scratch, "other");
    await mkdir(other);
    await writeFile(join(other, "notes.txt"), "mine");
    await expect(prepareReportDir(other)).rejects.toThrow(/holds files that are not a rehearsal report/);
    expect(await readdir(other)).toEqual(["notes.txt"]);
  });

  it("exits 2 in one line, starting nothing, for a candidate production already has (real process)", async () => {
    const dir = join(scratch, "never-made");
    const r = await infergate(["rehearse", "--candidate", "models/repository/digits/2", "--report-dir", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^infergate rehearse: candidate .* must be digits version 3 or more/);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });
});
