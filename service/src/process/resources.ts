import { readFileSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";

/** What the container may use (cgroup v2, what Kubernetes limits become), read at start-up. */

/**
 * The CPUs this process may use: the affinity mask (availableParallelism) capped by a cgroup v2
 * CPU quota (`cpu.max`, what a Kubernetes CPU limit becomes), rounded up.
 */
export function defaultWorkers(cpuMaxFile = "/sys/fs/cgroup/cpu.max"): number {
  let cpus = availableParallelism();
  try {
    const [quota, period] = readFileSync(cpuMaxFile, "utf8").trim().split(/\s+/);
    if (quota && quota !== "max" && period) cpus = Math.min(cpus, Math.ceil(Number(quota) / Number(period)));
  } catch {
    // no cgroup v2 quota visible: the affinity mask is the limit
  }
  return Math.max(1, cpus);
}

/** The memory this process may use: the cgroup v2 limit (`memory.max`), else the machine's memory. */
export function memoryLimit(memoryMaxFile = "/sys/fs/cgroup/memory.max"): number {
  try {
    const text = readFileSync(memoryMaxFile, "utf8").trim();
    if (text !== "max") return Math.min(Number(text), totalmem());
  } catch {
    // no cgroup v2 limit visible: the machine's memory is the limit
  }
  return totalmem();
}

/**
 * Bytes of request bodies one worker may hold at once. A body costs about three times its size
 * while it is served (the body, the decoded tensors, the batch they are stacked into), and the
 * worker's baseline (runtime, sessions, caches) needs the rest: an eighth of the pod's memory per
 * worker keeps a burst of large requests well inside the limit (measured by
 * service/test/process/overload.test.ts: 256 concurrent 4 MiB requests to one worker of a 1 GiB
 * pod peaked at 549 MiB of RSS; with the budget lifted, 2,274 MiB).
 */
export function defaultMemoryBudget(workers: number, limit = memoryLimit()): number {
  return Math.max(16 * 1024 * 1024, Math.floor(limit / 8 / Math.max(1, workers)));
}

/**
 * The largest artifact a worker loads: a session takes about the artifact's size again in memory,
 * beside the versions that serve, in every worker; a quarter of each worker's share of the pod.
 */
export function defaultMaxModelBytes(workers: number, limit = memoryLimit()): number {
  return Math.floor(limit / 4 / Math.max(1, workers));
}
