/**
 * Every process a rehearsal starts: each logs to its own file, is known by its PID and is stopped
 * by that PID (SIGTERM, then SIGKILL after a grace period), never by name, in the reverse order
 * of starting. A Ctrl-C (SIGINT) or SIGTERM aborts `signal`, which every wait of the rehearsal
 * listens to; the rehearsal then stops everything and reports what it got to.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RehearsalError, RehearsalInterrupted } from "./errors.js";

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type Managed = {
  name: string;
  pid: number;
  log: string;
  child: ChildProcess;
  exited: Promise<Exit>;
  exit: Exit | undefined;
};

export type StartOptions = { env?: NodeJS.ProcessEnv; cwd?: string };

/**
 * If this process dies without its handlers running (SIGKILL, a crash), the kernel sends each
 * child SIGTERM: setpriv (util-linux) sets the parent-death signal, then execs the command, so
 * the PID held here stays the command's own.
 */
const PARENT_DEATH = existsSync("/usr/bin/setpriv")
  ? ["/usr/bin/setpriv", "--pdeathsig", "SIGTERM", "--"]
  : [];

export class Supervisor {
  private readonly started: Managed[] = [];
  private readonly abort = new AbortController();
  private seq = 0;

  constructor(readonly logDir: string) {}

  /** Aborted by SIGINT/SIGTERM (see `interrupt`). */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Throws RehearsalInterrupted once interrupted: call between steps. */
  check(): void {
    if (this.abort.signal.aborted) throw this.abort.signal.reason as RehearsalInterrupted;
  }

  interrupt(signal: NodeJS.Signals): void {
    if (!this.abort.signal.aborted) this.abort.abort(new RehearsalInterrupted(signal));
  }

  /** Starts `command` with its output in <logDir>/<nn>-<name>.log. */
  start(name: string, command: string, args: readonly string[], options: StartOptions = {}): Managed {
    this.check();
    this.seq += 1;
    const log = join(this.logDir, `${String(this.seq).padStart(2, "0")}-${name}.log`);
    const fd = openSync(log, "a");
    let child: ChildProcess;
    try {
      const [wrapper = command, ...wrapperArgs] = PARENT_DEATH;
      const argv = PARENT_DEATH.length > 0 ? [...wrapperArgs, command, ...args] : [...args];
      child = spawn(wrapper, argv, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ["ignore", fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new RehearsalError(`${name}: could not start ${command}`);
    const managed: Managed = {
      name,
      pid: child.pid,
      log,
      child,
      exit: undefined,
      exited: Promise.resolve({ code: null, signal: null }),
    };
    managed.exited = new Promise<Exit>((resolveExit) => {
      child.once("exit", (code, signal) => {
        managed.exit = { code, signal };
        resolveExit(managed.exit);
      });
      child.once("error", () => {
        managed.exit ??= { code: null, signal: null };
        resolveExit(managed.exit);
      });
    });
    this.started.push(managed);
    return managed;
  }

  /** Starts `command` and waits for it to end; an interruption stops it and throws. */
  async run(name: string, command: string, args: readonly string[], options: StartOptions = {}) {
    const p = this.start(name, command, args, options);
    const onAbort = () => void this.stop(p);
    this.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const exit = await p.exited;
      this.check();
      return { ...exit, log: p.log, output: () => readLog(p.log) };
    } finally {
      this.signal.removeEventListener("abort", onAbort);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(p: Managed, graceMs = 10_000): Promise<Exit> {
    if (p.exit) return p.exit;
    signalPid(p.pid, "SIGTERM");
    const exit = await Promise.race([p.exited, sleep(graceMs).then(() => undefined)]);
    if (exit) return exit;
    signalPid(p.pid, "SIGKILL");
    return p.exited;
  }

  /** Every process started, with its PID and how it ended (report.json lists them). */
  processes(): { name: string; pid: number; exit: string }[] {
    return this.started.map((p) => ({
      name: p.name,
      pid: p.pid,
      exit: p.exit ? (p.exit.signal ?? `code ${p.exit.code}`) : "running",
    }));
  }

  /** Stops every process still running, the last started first. */
  async stopAll(): Promise<void> {
    for (const p of [...this.started].reverse()) await this.stop(p);
  }

  /** Last resort on process exit (nothing asynchronous runs there): SIGKILL whatever still runs. */
  killAllNow(): void {
    for (const p of this.started) if (!p.exit) signalPid(p.pid, "SIGKILL");
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** The last lines of a log, indented, for an error message. */
export function logTail(file: string, lines = 20): string {
  const text = readLog(file).trimEnd();
  if (!text) return "    | (empty log)";
  return text
    .split("\n")
    .slice(-lines)
    .map((l) => `    | ${l}`)
    .join("\n");
}
