/**
 * Child processes and temporary directories of a gate run: every child is tracked and stopped on
 * every exit path (normal end, error, SIGINT/SIGTERM/SIGHUP), and every wait is bounded.
 */
import type { ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Registers a temporary directory that cleanup() removes. */
export function removeOnCleanup(dir: string): void {
  tempDirs.add(dir);
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export function waitExit(child: ChildProcess, ms: number): Promise<Exit | undefined> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolveExit(undefined);
    }, ms);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolveExit({ code, signal });
    };
    child.once("exit", onExit);
  });
}

const stopping = new WeakMap<ChildProcess, Promise<Exit>>();

/**
 * SIGTERM, then SIGKILL after `graceMs`; resolves with how the child ended. Idempotent: a second
 * call waits for the first instead of sending another SIGTERM (the service treats a second one as
 * fatal, as Node does once its handler has run).
 */
export function stop(child: ChildProcess, graceMs: number): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  let pending = stopping.get(child);
  if (!pending) {
    pending = (async () => {
      child.kill("SIGTERM");
      const graceful = await waitExit(child, graceMs);
      if (graceful) return graceful;
      child.kill("SIGKILL");
      return (await waitExit(child, 5000)) ?? { code: null, signal: "SIGKILL" as NodeJS.Signals };
    })();
    stopping.set(child, pending);
  }
  return pending;
}

export async function cleanup(): Promise<void> {
  await Promise.all([...children].map((c) => stop(c, 5000)));
  await Promise.all([...tempDirs].map((d) => rm(d, { recursive: true, force: true })));
  tempDirs.clear();
}

let signalled = false;

/** Whether a SIGINT/SIGTERM/SIGHUP arrived (the handlers are then stopping everything). */
export function interrupted(): boolean {
  return signalled;
}

export function installSignalHandlers(): void {
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      if (signalled) return;
      signalled = true;
      process.stderr.write(`gate:load: ${sig}, stopping the service and k6\n`);
      void cleanup().finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
    });
  }
  // Last resort (e.g. an uncaught error): never leave a child behind.
  process.on("exit", () => {
    for (const c of children) c.kill("SIGKILL");
  });
}
