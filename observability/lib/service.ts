/**
 * The real service, started the way `npm start` starts it (package.json's `start` script) on a
 * free local port with the bundled model repository, so the metric checks read a real scrape.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { REPO_ROOT } from "../../scripts/lib/repo.js";

export type RunningService = { baseUrl: string; log: () => string; stop: () => Promise<void> };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** package.json's `start` script, which npm runs with `sh -c` and node_modules/.bin first on PATH. */
async function startScript(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as {
    scripts: { start: string };
  };
  return pkg.scripts.start;
}

/** Stops the whole process group (the shell and the processes it starts), then waits for it. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid, "SIGTERM");
  if ((await Promise.race([exited, sleep(10_000, "timeout")])) === "timeout") {
    process.kill(-child.pid, "SIGKILL");
    await exited;
  }
}

/** Starts the service and resolves once /v2/health/ready answers 200 (at most 60 s). */
export async function startService(): Promise<RunningService> {
  const port = await freePort();
  const work = await mkdtemp(join(tmpdir(), "infergate-metrics-"));
  const script = await startScript();
  const env = {
    ...process.env,
    PATH: `${join(REPO_ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    INFERGATE_MODEL_CACHE_DIR: join(work, "cache"),
  };
  // detached: its own process group, so stopping it stops everything the script started.
  const child = spawn("sh", ["-c", script], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const service: RunningService = {
    baseUrl: `http://127.0.0.1:${port}`,
    log: () => output.split("\n").slice(-30).join("\n"),
    stop: async () => {
      await stopGroup(child);
      await rm(work, { recursive: true, force: true });
    },
  };
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(500)) {
    if (child.exitCode !== null) {
      await service.stop();
      throw new Error(`the service exited during startup (npm start: ${script}):\n${service.log()}`);
    }
    const ready = await fetch(`${service.baseUrl}/v2/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return service;
  }
  await service.stop();
  throw new Error(`${service.baseUrl}/v2/health/ready not 200 within 60 s:\n${service.log()}`);
}
