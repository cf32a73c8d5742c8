/** Bounded waits that give up early when the awaited process exits or the rehearsal is interrupted. */
import { setTimeout as sleep } from "node:timers/promises";
import { RehearsalError } from "./errors.js";
import { logTail, type Managed, type Supervisor } from "./supervisor.js";

/**
 * Polls `check` until it returns true. Fails with the process's log tail if `process` exits
 * first or `timeoutMs` passes; an interruption throws at once.
 */
export async function waitUntil(
  supervisor: Supervisor,
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; process?: Managed },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    supervisor.check();
    const p = options.process;
    if (p?.exit) {
      const how = p.exit.signal ?? `code ${p.exit.code}`;
      throw new RehearsalError(
        `${what}: ${p.name} (pid ${p.pid}) exited with ${how}; ${p.log}:\n${logTail(p.log)}`,
      );
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      const tail = p ? `; ${p.log}:\n${logTail(p.log)}` : "";
      throw new RehearsalError(`${what}: not ready within ${options.timeoutMs / 1000}s${tail}`);
    }
    await pause(supervisor, 200);
  }
}

/** Sleeps `ms`, or throws RehearsalInterrupted as soon as the rehearsal is interrupted. */
export async function pause(supervisor: Supervisor, ms: number): Promise<void> {
  try {
    await sleep(ms, undefined, { signal: supervisor.signal });
  } catch {
    supervisor.check();
  }
}

/** A GET that answers within 2 s with status 200. */
export async function answers200(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status === 200;
}
