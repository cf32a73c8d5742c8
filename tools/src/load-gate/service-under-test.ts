/** The service under test: started on a free 127.0.0.1 port, and waited for until it is ready. */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RunError, UsageError } from "./errors.js";
import type { Repository } from "./model-repository.js";
import type { GateOptions } from "./options.js";
import { stop, track } from "./processes.js";

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolvePort(port) : reject(new RunError("no free port"))));
    });
  });
}

function tail(file: string, lines = 30): string {
  try {
    const text = readFileSync(file, "utf8").trimEnd().split("\n");
    return text
      .slice(-lines)
      .map((l) => `    | ${l}`)
      .join("\n");
  } catch {
    return "    | (no log)";
  }
}

export type Server = { child: ChildProcess; baseUrl: string; log: string };

export async function startServer(
  opts: GateOptions,
  root: string,
  repo: Repository,
  summaryDir: string,
  cacheDir: string,
): Promise<Server> {
  const entry = opts.built
    ? join(root, "dist", "service", "src", "main.js")
    : join(root, "service", "src", "main.ts");
  if (!existsSync(entry)) {
    throw new UsageError(`${entry} does not exist${opts.built ? " (run npm run build first)" : ""}`);
  }
  const args = opts.built ? [entry] : ["--import", "tsx", entry];
  const log = join(summaryDir, "server.log");
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("INFERGATE_") && k !== "PORT" && k !== "HOST"),
  );
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const env = {
      ...inherited,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      INFERGATE_MODEL_REPOSITORY: repo.uri,
      INFERGATE_MODELS: repo.model,
      INFERGATE_VERSION_POLICY: opts.versionPolicy,
      INFERGATE_MODEL_CACHE_DIR: cacheDir,
      INFERGATE_DRAIN_TIMEOUT_MS: "5000",
      ...opts.serverEnv,
    };
    const fd = openSync(log, "w");
    let child: ChildProcess;
    try {
      child = track(spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", fd, fd] }));
    } finally {
      closeSync(fd);
    }
    const baseUrl = `http://127.0.0.1:${port}`;
    process.stdout.write(
      `gate:load: started the service (pid ${child.pid}) at ${baseUrl} from ${repo.uri}\n`,
    );
    const outcome = await waitReady(child, baseUrl, opts.readyTimeoutMs);
    if (outcome === "ready") return { child, baseUrl, log };
    if (outcome === "exited" && attempt < 3 && /EADDRINUSE/.test(readFileSync(log, "utf8"))) {
      process.stdout.write(`gate:load: port ${port} was taken meanwhile; retrying\n`);
      continue;
    }
    await stop(child, 5000);
    const why =
      outcome === "exited"
        ? `exited with ${child.exitCode ?? child.signalCode}`
        : `was not ready within ${opts.readyTimeoutMs / 1000}s`;
    throw new RunError(`the service ${why}; last lines of ${log}:\n${tail(log)}`);
  }
  throw new RunError("could not start the service");
}

async function waitReady(
  child: ChildProcess,
  baseUrl: string,
  timeoutMs: number,
): Promise<"ready" | "exited" | "timeout"> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return "exited";
    try {
      const res = await fetch(`${baseUrl}/v2/health/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return "ready";
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return "timeout";
}
