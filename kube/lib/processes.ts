/**
 * The control plane's child processes: each one logs to its own file in the data dir, is known by
 * its PID and is stopped by that PID (SIGTERM, then SIGKILL), never by name.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export type ManagedProcess = {
  name: string;
  pid: number;
  logFile: string;
  /** Set once the process has exited (on its own or stopped). */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child: ChildProcess;
};

/** Thrown when a process exits or a readiness check times out; carries the log tail. */
export class StartError extends Error {}

/** Processes started and not yet stopped, across every control plane of this Node process. */
const running = new Set<ManagedProcess>();

// A test runner or a crashed CLI must not leave etcd and the API server behind: on exit, kill
// whatever is still running (synchronously: nothing asynchronous runs in an 'exit' handler).
process.on("exit", () => {
  for (const p of running) killQuietly(p.pid, "SIGKILL");
});

/**
 * If this Node process dies without running its exit handlers (killed by a signal, crashed), the
 * kernel sends each child SIGTERM: setpriv (util-linux, on every Debian) sets the parent-death
 * signal and then execs the binary, so the PID we hold stays the binary's own.
 */
const PARENT_DEATH_WRAPPER = existsSync("/usr/bin/setpriv")
  ? ["/usr/bin/setpriv", "--pdeathsig", "SIGTERM", "--"]
  : [];

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

export function startProcess(name: string, binary: string, args: string[], dataDir: string): ManagedProcess {
  const logFile = join(dataDir, `${name}.log`);
  const fd = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    const [command = binary, ...wrapperArgs] = PARENT_DEATH_WRAPPER;
    child = spawn(command, [...wrapperArgs, binary, ...args], { stdio: ["ignore", fd, fd], cwd: dataDir });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) throw new StartError(`${name}: could not start ${binary}`);
  const managed: ManagedProcess = { name, pid: child.pid, logFile, exit: undefined, child };
  running.add(managed);
  child.on("exit", (code, signal) => {
    managed.exit = { code, signal };
    running.delete(managed);
  });
  child.on("error", () => {
    managed.exit ??= { code: null, signal: null };
    running.delete(managed);
  });
  return managed;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export async function stopProcess(p: ManagedProcess, graceMs = 5_000): Promise<void> {
  if (p.exit) return;
  const exited = new Promise<void>((resolve) => p.child.once("exit", () => resolve()));
  killQuietly(p.pid, "SIGTERM");
  const killed = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
  if (killed) {
    killQuietly(p.pid, "SIGKILL");
    await exited;
  }
}

export function logTail(p: ManagedProcess, lines = 30): string {
  try {
    return readFileSync(p.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function describeExit(p: ManagedProcess): string {
  const how = p.exit?.signal ? `signal ${p.exit.signal}` : `code ${p.exit?.code}`;
  return `${p.name} (pid ${p.pid}) exited with ${how}; last lines of ${p.logFile}:\n${logTail(p)}`;
}

/**
 * Polls `check` until it returns a value other than undefined. Fails fast, with the log tail, if
 * one of `watched` exits meanwhile; on timeout the error names `what` and shows the log tail of
 * `blame` (the process whose readiness this is).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs: number; watched: ManagedProcess[]; blame?: ManagedProcess; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const dead = options.watched.find((p) => p.exit);
    if (dead) throw new StartError(`waiting for ${what}: ${describeExit(dead)}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      const tail = options.blame
        ? `\nlast lines of ${options.blame.logFile}:\n${logTail(options.blame)}`
        : "";
      throw new StartError(`timed out after ${options.timeoutMs} ms waiting for ${what}${cause}${tail}`);
    }
    await sleep(options.intervalMs ?? 200);
  }
}

/** One free port per name (see freePorts). */
export async function freePortsFor<Name extends string>(
  names: readonly Name[],
): Promise<Record<Name, number>> {
  const ports = await freePorts(names.length);
  return Object.fromEntries(names.map((name, i) => [name, ports[i]])) as Record<Name, number>;
}

/**
 * `count` distinct TCP ports free on 127.0.0.1 right now: all are held open together, so the OS
 * cannot hand out the same one twice; the callers bind them moments later.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (typeof address !== "object" || address === null) throw new Error("no port assigned");
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
