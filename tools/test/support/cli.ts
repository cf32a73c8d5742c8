import { spawn } from "node:child_process";
import { REPO_ROOT } from "../../../service/test/support/paths.js";

export type CliResult = { code: number | null; stdout: string; stderr: string };

/**
 * Runs `infergate <command> <args>` (bin/infergate.js) as its own process, as the npm scripts do,
 * from the repo root; killed after `timeoutMs` so a hang fails the test, not the run.
 */
export function runCli(
  command: "gate accuracy" | "gate load" | "publish" | "canary evaluate" | "serve",
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const bin = `${REPO_ROOT}bin/infergate.js`;
    const child = spawn(process.execPath, [bin, ...command.split(" "), ...args], {
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
