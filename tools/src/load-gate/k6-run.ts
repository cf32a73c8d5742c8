/** The k6 run: its environment, its time limit, the process itself and the report it writes. */
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { RunError } from "./errors.js";
import { type GateOptions, parseDuration } from "./options.js";
import { type Exit, stop, track, waitExit } from "./processes.js";

export type Report = {
  passed: boolean;
  model_version: string | null;
  metrics: Record<string, number | null>;
  thresholds: { label: string; expression: string; actual: number | null; ok: boolean }[];
};

export function readReport(file: string, notBefore: number): Report | undefined {
  try {
    if (statSync(file).mtimeMs < notBefore) return undefined; // left over from an earlier run
    return JSON.parse(readFileSync(file, "utf8")) as Report;
  } catch {
    return undefined;
  }
}

export function k6Env(opts: GateOptions, baseUrl: string, model: string, data: string, summaryDir: string) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    K6_NO_USAGE_REPORT: "true",
    BASE_URL: baseUrl,
    MODEL: model,
    DATA_FILE: data,
    SUMMARY_DIR: summaryDir,
  };
  const set = (name: string, v: string | number | undefined) => {
    if (v !== undefined) env[name] = String(v);
  };
  set("DURATION", opts.duration);
  set("RATE", opts.rate);
  set("PEAK_RATE", opts.peakRate);
  set("VUS", opts.vus);
  set("BATCH", opts.batch);
  set("P95_MS", opts.p95Ms);
  set("P99_MS", opts.p99Ms);
  set("MAX_ERROR_RATE", opts.maxErrorRate);
  set("MIN_RPS", opts.minRps);
  return env;
}

/** The k6 run's duration: --duration, else $DURATION, else the stage default in stages.json. */
export function plannedDurationMs(opts: GateOptions, root: string): number {
  if (opts.duration !== undefined) return parseDuration(opts.duration);
  if (process.env.DURATION) return parseDuration(process.env.DURATION);
  const stages = JSON.parse(readFileSync(join(root, "loadtest", "stages.json"), "utf8")) as Record<
    string,
    { duration?: string }
  >;
  return parseDuration(stages[opts.stage]?.duration ?? "60s");
}

/**
 * Runs `k6 run <script>` and waits at most `limitMs` for it; a k6 that cannot start or does not
 * finish in time is a RunError (the latter is stopped first).
 */
export async function runK6(run: {
  k6: string;
  script: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  limitMs: number;
}): Promise<Exit> {
  const { k6, script, cwd, env, limitMs } = run;
  const k6Child = track(
    spawn(k6, ["run", "--quiet", "--no-usage-report", "--no-color", script], {
      cwd,
      env,
      stdio: ["ignore", "inherit", "inherit"],
    }),
  );
  const spawnError = new Promise<Error>((resolveErr) => k6Child.once("error", resolveErr));
  const finished = await Promise.race([waitExit(k6Child, limitMs), spawnError]);
  if (finished instanceof Error) throw new RunError(`cannot run ${k6}: ${finished.message}`);
  if (finished === undefined) {
    await stop(k6Child, 15_000);
    throw new RunError(`k6 did not finish within ${Math.round(limitMs / 1000)}s`);
  }
  return finished;
}
