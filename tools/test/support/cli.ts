import { spawn } from "node:child_process";
import { REPO_ROOT } from "../../../service/test/support/paths.js";

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** What a test may do while the command runs: read its stderr so far, and signal it. */
export type CliWatch = {
  onStderr?: (stderr: string, signal: (s: NodeJS.Signals) => void) => void;
  /** SIGINT this long after the start (a command that stops what it started gets its chance). */
  interruptAfterMs?: number;
};

/**
 * Runs `infergate <args>` (bin/infergate.js) as its own process from the repository root, as a
 * user or an npm script would; killed after `timeoutMs` so a hang fails the test, not the run.
 */
export function infergate(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  watch: CliWatch = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${REPO_ROOT}bin/infergate.js`, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      watch.onStderr?.(stderr, (signal) => child.kill(signal));
    });
    const interrupt =
      watch.interruptAfterMs === undefined
        ? undefined
        : setTimeout(() => child.kill("SIGINT"), watch.interruptAfterMs);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(interrupt);
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `infergate <command> <args>` for one of the subcommands the tools' tests drive. */
export function runCli(
  command: "gate accuracy" | "gate load" | "publish" | "canary evaluate" | "canary serve" | "serve",
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CliResult> {
  return infergate([...command.split(" "), ...args], env, timeoutMs);
}

/** `infergate model init <model> --name --version --repository [more]`. */
export function modelInit(
  repository: string,
  model: string,
  name: string,
  version: number,
  ...more: string[]
): Promise<CliResult> {
  return infergate([
    "model",
    "init",
    model,
    "--name",
    name,
    "--version",
    String(version),
    "--repository",
    repository,
    ...more,
  ]);
}

/** Whether a process of this PID still exists (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
