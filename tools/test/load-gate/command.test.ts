import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alive } from "../support/cli.js";

const root = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const cli = join(root, "bin", "infergate.js");
const k6 = join(root, ".tools", "bin", "k6");
const degradedCandidate = join(root, "service", "test", "fixtures", "models", "degraded", "digits", "3");

type Run = { code: number | null; signal: NodeJS.Signals | null; out: string };
const running = new Set<ChildProcess>();

/** Runs `infergate gate load` as `npm run gate:load` does, bounded by `limitMs`. */
function gate(
  args: string[],
  limitMs = 45_000,
  onOutput?: (out: string, child: ChildProcess) => void,
): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cli, "gate", "load", ...args], {
      cwd: root,
      env: { ...process.env, K6_BIN: k6 },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    let out = "";
    const onData = (b: Buffer) => {
      out += b.toString();
      onOutput?.(out, child);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`gate:load did not finish within ${limitMs} ms:\n${out}`));
    }, limitMs);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolveRun({ code, signal, out });
    });
  });
}

let work: string;

beforeAll(async () => {
  // k6 comes from the project's tool script at a pinned version (fast when cached).
  if (!existsSync(k6))
    execFileSync("bash", [join(root, "scripts", "tools.sh"), "k6"], { stdio: "inherit", timeout: 110_000 });
  work = await mkdtemp(join(tmpdir(), "infergate-gate-load-test-"));
});

afterAll(async () => {
  for (const c of running) c.kill("SIGKILL");
  if (work) await rm(work, { recursive: true, force: true });
});

describe("infergate gate load: argument handling", () => {
  it("exits 2 with a one-line usage error on a bad flag, starting nothing", async () => {
    const run = await gate(["--stage", "soak"], 20_000);
    expect(run.code).toBe(2);
    expect(run.out).toBe(
      'infergate gate load: --stage soak: expected one of smoke, load, stress (run "infergate gate load --help")\n',
    );
  });
});

describe("gate:load against the real service (k6)", () => {
  it("passes a short constant-rate run with sane thresholds", async () => {
    const dir = join(work, "pass");
    const run = await gate([
      "--stage",
      "load",
      "--duration",
      "3s",
      "--rate",
      "20",
      "--p95-ms",
      "1000",
      "--p99-ms",
      "2000",
      "--max-error-rate",
      "0",
      "--min-rps",
      "10",
      "--summary-dir",
      dir,
    ]);
    expect(run.out).toContain("gate passed (exit 0)");
    expect(run.code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, "summary.json"), "utf8"));
    expect(report).toMatchObject({ stage: "load", passed: true, model: "digits", model_version: "2" });
    expect(report.metrics.requests).toBeGreaterThanOrEqual(50);
    expect(report.metrics.error_rate).toBe(0);
    expect(report.thresholds.map((t: { expression: string }) => t.expression)).toEqual([
      "p(95)<1000",
      "p(99)<2000",
      "rate<=0",
      "rate>=10",
    ]);
    const md = await readFile(join(dir, "summary.md"), "utf8");
    expect(md).toContain("### k6 load gate `load`: ✅ passed");
    expect(md).toMatch(/\| p95 latency \| < 1000 ms \| [\d.]+ ms \| ✅ \|/);
  });

  it("reports an impossible threshold (p95 < 0.01 ms) as a failed gate, exit 1", async () => {
    const dir = join(work, "fail");
    // The degraded candidate also proves --candidate <version dir> is what gets served.
    const run = await gate([
      "--stage",
      "smoke",
      "--duration",
      "2s",
      "--candidate",
      degradedCandidate,
      "--p95-ms",
      "0.01",
      "--summary-dir",
      dir,
    ]);
    expect(run.out).toContain("gate failed: a threshold was crossed (exit 1)");
    expect(run.code).toBe(1);
    const report = JSON.parse(await readFile(join(dir, "summary.json"), "utf8"));
    expect(report).toMatchObject({ stage: "smoke", passed: false, model_version: "3" });
    const p95 = report.thresholds.find((t: { label: string }) => t.label === "p95 latency");
    expect(p95).toMatchObject({ expression: "p(95)<0.01", ok: false });
    // Only the latency threshold failed: the service answered every request correctly.
    expect(report.thresholds.filter((t: { ok: boolean }) => !t.ok)).toHaveLength(1);
    expect(await readFile(join(dir, "summary.md"), "utf8")).toContain("❌ failed");
  });

  it("stops the service and k6 when interrupted (SIGTERM), exit 143", async () => {
    const pids: number[] = [];
    let sent = false;
    const run = await gate(
      ["--stage", "load", "--duration", "60s", "--rate", "5", "--summary-dir", join(work, "interrupted")],
      40_000,
      (out, child) => {
        const m = /started the service \(pid (\d+)\)/.exec(out);
        if (m && pids.length === 0) pids.push(Number(m[1]));
        if (!sent && out.includes("gate:load: k6 run")) {
          sent = true;
          setTimeout(() => child.kill("SIGTERM"), 1500);
        }
      },
    );
    expect(run.code).toBe(143);
    expect(pids).toHaveLength(1);
    expect(alive(pids[0] as number)).toBe(false);
  });
});
