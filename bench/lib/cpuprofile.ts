import { readFileSync } from "node:fs";

/**
 * A V8 CPU profile as `node --cpu-prof` writes it (.cpuprofile), cut to a time window. The
 * profile's timestamps are microseconds of the monotonic clock `process.hrtime` reads, in every
 * process of the machine, so the bench can keep exactly the samples of a measured load window
 * (start-up, warm-up and shutdown left out).
 */
export type CallFrame = { functionName: string; url: string; lineNumber: number };
export type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
export type CpuProfile = {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

/** Sampled time per node, in µs, of the samples taken within a window. */
export type WindowedProfile = {
  nodes: ReadonlyMap<number, ProfileNode>;
  parent: ReadonlyMap<number, number>;
  /** Self time per node id, in µs. */
  self: ReadonlyMap<number, number>;
  /** All sampled time in the window, in µs (idle included). */
  total: number;
  /** Time the main thread waited for work (V8's "(idle)": in the event loop's poll, no JS running). */
  idle: number;
};

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
}

/** The current monotonic time in the profile's unit (µs of `process.hrtime`). */
export function profileClockNow(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * The samples taken within [fromUs, toUs] (profile clock; the whole profile when omitted). A
 * sample's time delta is the time since the previous sample, so it is credited to this sample.
 */
export function windowOf(p: CpuProfile, fromUs = p.startTime, toUs = p.endTime): WindowedProfile {
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let clock = p.startTime;
  let total = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const delta = p.timeDeltas[i] ?? 0;
    clock += delta;
    if (clock < fromUs || clock > toUs) continue;
    const id = p.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + delta);
    total += delta;
    if (nodes.get(id)?.callFrame.functionName === "(idle)") idle += delta;
  }
  return { nodes, parent, self, total, idle };
}

/** The call stack of a node, leaf first. */
export function stackOf(w: WindowedProfile, id: number): ProfileNode[] {
  const out: ProfileNode[] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = w.parent.get(cur)) {
    const n = w.nodes.get(cur);
    if (n) out.push(n);
  }
  return out;
}
