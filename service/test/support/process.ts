import { type ChildProcess, spawn } from "node:child_process";
import { freePort, waitFor } from "./net.js";
import { REPO_ROOT } from "./paths.js";

export type ServerProcess = {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

/**
 * Starts `service/src/main.ts` as its own process on 127.0.0.1 and a free port, as `npm start`
 * would, and waits (bounded) until it is ready — or only live, with `waitReady: false`.
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  options: { waitReady?: boolean; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "service/src/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      INFERGATE_WORKERS: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const path = options.waitReady === false ? "/v2/health/live" : "/v2/health/ready";
  try {
    // Stop waiting early if the process has already exited (e.g. a config error).
    await waitFor(
      async () => child.exitCode !== null || (await fetch(`${url}${path}`)).ok,
      options.timeoutMs ?? 60_000,
      `server ${path}`,
    );
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return {
    url,
    child,
    output: () => out,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
