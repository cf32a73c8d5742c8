import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** This Node running a TypeScript file through tsx: prefix of every bench process started from source. */
export const TSX: readonly string[] = [process.execPath, "--import", "tsx"];

export type Started = { url: string; pid: number; stop: () => Promise<void> };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/** Runs `argv` pinned to `cpus` (taskset) when given. */
export function pinned(cpus: string | undefined, argv: string[]): string[] {
  return cpus ? ["taskset", "-c", cpus, ...argv] : argv;
}

/**
 * Starts a server process and waits (bounded) until `readyPath` answers 200. `argv` may use
 * `{port}`, replaced by the free port chosen (also passed as PORT, with HOST=127.0.0.1).
 */
export async function startServer(
  argv: string[],
  env: Record<string, string>,
  readyPath: string,
  timeoutMs = 90_000,
): Promise<Started> {
  const port = await freePort();
  const [cmd, ...args] = argv.map((a) => a.replace("{port}", String(port))) as [string, ...string[]];
  const child: ChildProcess = spawn(cmd, args, {
    env: { ...process.env, LOG_LEVEL: "warn", ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${argv.join(" ")} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}${readyPath}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${argv.join(" ")} not ready after ${timeoutMs} ms`);
    }
    await sleep(100);
  }
  return {
    url,
    pid: child.pid as number,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Runs a command to completion (with `env` added to this process's) and returns its stdout; rejects on a non-zero exit. */
export function runToEnd(argv: string[], env: Record<string, string> = {}): Promise<string> {
  const [cmd, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${argv.join(" ")} exited with ${code}`)),
    );
  });
}

/** Field `i` (1-based, as in proc(5)) of /proc/PID/stat; the command name may contain spaces. */
function statFields(pid: string): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return [pid, "comm", ...text.slice(text.lastIndexOf(")") + 2).split(" ")];
  } catch {
    return undefined; // gone
  }
}

/** CPU time (clock ticks, utime + stime) of a process and all its live descendants. */
export function treeTicks(root: number): number {
  const procs = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  const children = new Map<string, string[]>();
  const ticks = new Map<string, number>();
  for (const pid of procs) {
    const f = statFields(pid);
    if (!f) continue;
    const ppid = f[3] as string;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    ticks.set(pid, Number(f[13]) + Number(f[14]));
  }
  let total = 0;
  const stack = [String(root)];
  while (stack.length) {
    const pid = stack.pop() as string;
    total += ticks.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/**
 * CPU time (clock ticks) of one process's threads, split into its main thread (whose tid is the
 * pid), V8's CPU profiler thread when `node --cpu-prof` runs it (the measurement's own cost), and
 * all its other threads (V8's GC and compiler helpers, libuv's pool, a runtime's own).
 */
export function threadTicks(pid: number): { main: number; profiler: number; others: number } {
  let main = 0;
  let profiler = 0;
  let others = 0;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return { main, profiler, others }; // gone
  }
  for (const tid of tids) {
    const f = statFields(`${pid}/task/${tid}`);
    if (!f) continue;
    const ticks = Number(f[13]) + Number(f[14]);
    if (tid === String(pid)) main += ticks;
    else if (threadName(pid, tid).startsWith("v8:Prof")) profiler += ticks;
    else others += ticks;
  }
  return { main, profiler, others };
}

function threadName(pid: number, tid: string): string {
  try {
    return readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** Busy clock ticks of the whole machine (all CPUs) from /proc/stat. */
export function machineBusyTicks(): number {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0] as string;
  const [, user, nice, system, , , irq, softirq, steal] = cpu.trim().split(/\s+/).map(Number);
  return (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
}
