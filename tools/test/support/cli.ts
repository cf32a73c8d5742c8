import { spawn } from "node:child_process";
import { REPO_ROOT } from "../../../service/test/support/paths.js";

export type CliResult = { code: number | null; stdout: string; stderr: string };

/**
 * Runs `infergate <args>` (bin/infergate.js) as its own process from the repository root, as a
 * user or an npm script would; killed after `timeoutMs` so a hang fails the test, not the run.
 */
export function infergate(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
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
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
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
