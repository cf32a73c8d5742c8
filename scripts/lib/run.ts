import { execFile } from "node:child_process";
import { REPO_ROOT } from "./repo.js";

export type RunResult = { code: number; stdout: string; stderr: string };
export type RunOptions = { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string };

/**
 * Runs a command to completion and resolves with its exit code and output, never rejecting on
 * a non-zero exit (checks assert on the code and the output). Runs in the repository's root
 * unless told otherwise; a timeout kills the command and resolves with code -1.
 */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      {
        cwd: options.cwd ?? REPO_ROOT,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Like `run`, but rejects with the command's output when it does not exit 0. */
export async function runOk(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, options);
  if (r.code !== 0)
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`,
    );
  return r.stdout;
}
