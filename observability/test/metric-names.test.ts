/**
 * The metric-name checker against a hand-made scrape (fixtures/metrics.txt) and broken variants
 * of it: a missing metric, a renamed label, a missing bucket and a non-scrape must fail; a metric
 * the contract marks pending is reported, not failed.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { CONTRACT, checkMetricNames } from "../lib/metric-names.js";

let fixture: string;
let work: string;
beforeAll(async () => {
  fixture = await readFile(new URL("./fixtures/metrics.txt", import.meta.url), "utf8");
  work = await mkdtemp(join(tmpdir(), "infergate-metric-names-"));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe("checkMetricNames on the fixture scrape", () => {
  it("fixture scrape passes", () => {
    expect(checkMetricNames(fixture).failures).toEqual([]);
  });

  it("pending metrics reported", async () => {
    // A contract entry flagged pending is reported, not failed, while the scrape lacks it.
    const contract = (await readFile(join(REPO_ROOT, CONTRACT), "utf8")).replace(
      "infergate_queue_depth: {type: gauge, labels: [model, version]}",
      "infergate_queue_depth: {type: gauge, labels: [model, version], pending: true}",
    );
    expect(contract).toContain("pending: true");
    const file = join(work, "contract.yaml");
    await writeFile(file, contract);
    const report = checkMetricNames(
      fixture.replace(/^.*infergate_queue_depth.*$/gm, ""),
      relative(REPO_ROOT, file),
    );
    expect(report.failures).toEqual([]);
    expect(report.names.get("infergate_queue_depth")?.status).toBe("pending");
  });

  it("missing metric fails", () => {
    const report = checkMetricNames(fixture.replace(/^.*infergate_model_ready.*$/gm, ""));
    expect(report.failures.join("\n")).toMatch(/infergate_model_ready is not exported/);
  });

  it("renamed label fails", () => {
    const report = checkMetricNames(fixture.replaceAll('outcome="', 'result="'));
    expect(report.failures.join("\n")).toMatch(/no label "outcome"/);
  });

  it("missing le bucket fails", () => {
    const report = checkMetricNames(
      fixture.replace(/^infergate_inference_duration_seconds_bucket\{le="0.25".*$/m, ""),
    );
    expect(report.failures.join("\n")).toMatch(/le="0.25"\} is not a bucket/);
  });

  it("non-scrape input fails", () => {
    expect(checkMetricNames("hello\n").failures.length).toBeGreaterThan(0);
  });
});
