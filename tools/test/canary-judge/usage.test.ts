import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../service/test/support/net.js";
import { runCanaryEvaluate } from "../support/prometheus.js";

// canary-evaluate as a process: help, and exit code 2 for every way it can fail to reach a verdict.

describe("canary-evaluate CLI: usage and errors (exit 2)", () => {
  let dir: string;
  let unreachable: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "infergate-canary-usage-"));
    unreachable = `http://127.0.0.1:${await freePort()}`;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("--help exits 0 and documents exit codes, --exit-mode and the overrides", async () => {
    const r = await runCanaryEvaluate(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("exit codes: 0 promote, 1 rollback, 3 hold, 2 usage");
    expect(r.stdout).toContain("--exit-mode <mode>");
    expect(r.stdout).toContain("fields: tolerance, hardLimit, minSamples, critical, weight, floor");
  });

  it("rejects bad command lines before querying anything", { timeout: 120_000 }, async () => {
    await writeFile(join(dir, "bad.yaml"), "metrics: []\n");
    const base = ["--prometheus", unreachable, "--model", "digits"];
    const cases: [string[], RegExp][] = [
      [["--model", "digits"], /--prometheus is required/],
      [["--prometheus", unreachable], /--model is required/],
      [[...base, "--exit-mode", "kayenta"], /--exit-mode must be default or argo/],
      [[...base, "--window", "5 minutes"], /--window: "5 minutes" is not a duration/],
      [[...base, "--window", "30s", "--step", "1m"], /--step \(60s\) is longer than --window \(30s\)/],
      [[...base, "--end", "yesterday"], /--end must be unix seconds or an RFC 3339 time/],
      [[...base, "--set", "error-rate=1"], /--set expects <metric>.<field>=<value>/],
      [[...base, "--set", "error-rate.threshold=1"], /not an overridable field/],
      [[...base, "--set", "latency.weight=1"], /unknown metric "latency"/],
      [[...base, "--set", "error-rate.critical=yes"], /critical must be true or false/],
      [[...base, "--confidence", "2"], /--confidence must be a number in \[0.5, 0.9999\]/],
      [[...base, "--marginal-score", "99"], /marginal \(99\) above pass \(95\)/],
      [[...base, "--stable-track", "canary"], /are the same/],
      [[...base, "--analysis", join(dir, "bad.yaml")], /invalid canary analysis definition: .*metrics/],
      [[...base, "--analysis", join(dir, "missing.yaml")], /cannot read/],
      [[...base, "--bogus"], /Unknown option '--bogus'/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCanaryEvaluate(args)));
    for (const [i, r] of results.entries()) {
      const [args, message] = cases[i] as [string[], RegExp];
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stdout, args.join(" ")).toBe("");
    }
  });

  it("an unreachable Prometheus is exit 2, also in --exit-mode argo (the Job fails and is retried)", async () => {
    const [r, argo] = await Promise.all([
      runCanaryEvaluate(["--prometheus", unreachable, "--model", "digits"]),
      runCanaryEvaluate(["--prometheus", unreachable, "--model", "digits", "--exit-mode", "argo"]),
    ]);
    for (const x of [r, argo]) {
      expect(x.code).toBe(2);
      expect(x.stderr).toMatch(
        /infergate canary evaluate: error: cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query/,
      );
    }
  });

  it("$INFERGATE_CANARY_ANALYSIS must be base64 JSON", async () => {
    const r = await runCanaryEvaluate(["--prometheus", unreachable, "--model", "digits"], {
      INFERGATE_CANARY_ANALYSIS: "{not base64",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\$INFERGATE_CANARY_ANALYSIS: not base64-encoded JSON/);
  });
});
