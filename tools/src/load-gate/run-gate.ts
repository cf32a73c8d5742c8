/**
 * One gate run: start the service under test (unless --base-url names a running one), run k6
 * against it, stop the service, print the report and return the gate's exit code. Whatever
 * happens, every child is stopped and every temporary directory removed before it returns.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RunError, UsageError } from "./errors.js";
import { EXIT_GATE_FAILED, EXIT_PASS, gateExitCode } from "./exit-codes.js";
import { k6Env, plannedDurationMs, readReport, runK6 } from "./k6-run.js";
import { resolveRepository } from "./model-repository.js";
import type { GateOptions } from "./options.js";
import { cleanup, interrupted, removeOnCleanup, stop } from "./processes.js";
import { type Server, startServer } from "./service-under-test.js";

/** The checkout root: the nearest ancestor with loadtest/stages.json (works from src and dist). */
export function findRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "loadtest", "stages.json"))) return dir;
    if (dirname(dir) === dir) break;
  }
  if (existsSync(join(process.cwd(), "loadtest", "stages.json"))) return process.cwd();
  throw new RunError("cannot find the checkout root (a directory with loadtest/stages.json)");
}

export async function runGate(opts: GateOptions): Promise<number> {
  const root = findRoot();
  const summaryDir = resolve(opts.summaryDir ?? join(root, "loadtest", "results", opts.stage));
  await mkdir(summaryDir, { recursive: true });
  const k6 = opts.k6 ?? process.env.K6_BIN ?? join(root, ".tools", "bin", "k6");
  if (!existsSync(k6))
    throw new UsageError(`k6 not found at ${k6}; install it with: bash scripts/tools.sh k6`);
  const script = join(root, "loadtest", `${opts.stage}.js`);

  let server: Server | undefined;
  let baseUrl = opts.baseUrl;
  let model = opts.model ?? "digits";
  try {
    if (baseUrl === undefined) {
      const repo = await resolveRepository(opts, root);
      model = repo.model;
      const cacheDir = await mkdtemp(join(tmpdir(), "infergate-gate-cache-"));
      removeOnCleanup(cacheDir);
      server = await startServer(opts, root, repo, summaryDir, cacheDir);
      baseUrl = server.baseUrl;
    }
    const data = resolve(opts.data ?? join(root, "models", "repository", model, "validation.jsonl"));
    if (!existsSync(data)) throw new UsageError(`request data ${data} does not exist (give --data)`);

    const limitMs = plannedDurationMs(opts, root) + 150_000; // + setup (≤60 s), graceful stop, summary
    const started = Date.now();
    process.stdout.write(
      `gate:load: k6 run ${script} (stage ${opts.stage}, limit ${Math.round(limitMs / 1000)}s)\n`,
    );
    const finished = await runK6({
      k6,
      script,
      cwd: root,
      env: k6Env(opts, baseUrl, model, data, summaryDir),
      limitMs,
    });
    if (interrupted()) throw new RunError("interrupted");

    if (server) {
      const ended = await stop(server.child, 15_000);
      if (ended.code !== 0) {
        process.stdout.write(
          `gate:load: warning: the service ended with ${ended.code ?? ended.signal} after SIGTERM; see ${server.log}\n`,
        );
      }
      server = undefined;
    }

    const report = readReport(join(summaryDir, "summary.json"), started - 1000);
    const code = gateExitCode(finished.code, report?.passed);
    if (report) {
      const m = report.metrics;
      process.stdout.write(
        `gate:load: ${opts.stage} ${report.passed ? "PASS" : "FAIL"} (model ${model} v${report.model_version ?? "?"}): ` +
          `requests=${m.requests} rps=${m.rps} p95=${m.p95_ms}ms p99=${m.p99_ms}ms error_rate=${m.error_rate}\n`,
      );
      for (const t of report.thresholds.filter((x) => !x.ok)) {
        process.stdout.write(`gate:load:   crossed: ${t.label} ${t.expression} (actual ${t.actual})\n`);
      }
      process.stdout.write(`gate:load: reports in ${summaryDir} (summary.md, summary.json)\n`);
    } else {
      process.stdout.write(`gate:load: k6 wrote no summary to ${summaryDir}\n`);
    }
    const verdict =
      code === EXIT_PASS
        ? "gate passed"
        : code === EXIT_GATE_FAILED
          ? "gate failed: a threshold was crossed"
          : `gate error: k6 exited with ${finished.code ?? finished.signal}`;
    process.stdout.write(`gate:load: ${verdict} (exit ${code})\n`);
    return code;
  } finally {
    if (server) await stop(server.child, 15_000);
    await cleanup();
  }
}
