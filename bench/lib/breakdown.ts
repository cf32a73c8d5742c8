import { type Category, categoryOf, OTHER } from "./breakdown-categories.js";
import { stackOf, type WindowedProfile } from "./cpuprofile.js";

/**
 * Where a server's time per request goes (issue #25), from a CPU profile of a load window: every
 * sample is credited to the first frame, from the leaf up, that belongs to a category of
 * breakdown-categories.ts (a native leaf such as JSON.parse or a socket write counts under the
 * code that called it), and the window's time per category is divided by the requests answered
 * in it.
 */
export type BreakdownRow = { id: string; title: string; ms: number; usPerRequest: number; share: number };

/** CPU time of the server's threads over the same window (from /proc), in µs. */
export type ThreadCpu = { mainUs: number; othersUs: number };

/**
 * Time per category in a window (most first), per request answered in it and as a share of the
 * window. V8 reports as "(idle)" the whole of the event loop's poll phase outside JS, which
 * includes native work: reading sockets and running the HTTP parser in C++. With the main
 * thread's CPU time (`threads`), that part is told apart from the time the thread was really off
 * CPU, and the server's other threads (V8's GC and compiler helpers) get a row of their own.
 */
export function breakdown(w: WindowedProfile, requests: number, threads?: ThreadCpu): BreakdownRow[] {
  const byCategory = new Map<Category, number>();
  const leafCategory = new Map<number, Category>();
  for (const [id, us] of w.self) {
    let cat = leafCategory.get(id);
    if (!cat) {
      cat = OTHER;
      for (const frame of stackOf(w, id)) {
        const c = categoryOf(frame.callFrame);
        if (c) {
          cat = c;
          break;
        }
      }
      leafCategory.set(id, cat);
    }
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + us);
  }
  const row = (id: string, title: string, us: number): BreakdownRow => ({
    id,
    title,
    ms: us / 1000,
    usPerRequest: requests > 0 ? us / requests : 0,
    share: w.total > 0 ? us / w.total : 0,
  });
  const rows = [...byCategory].map(([c, us]) => row(c.id, c.title, us));
  if (threads) {
    const idle = rows.find((r) => r.id === "idle");
    const idleUs = (idle?.ms ?? 0) * 1000;
    const native = Math.min(idleUs, Math.max(0, threads.mainUs - (w.total - idleUs)));
    rows.splice(rows.indexOf(idle as BreakdownRow), idle ? 1 : 0);
    rows.push(
      row("native-io", "native I/O outside JS (socket reads, C++ HTTP parser; V8 counts it as idle)", native),
      row("idle", "idle (main thread off CPU, waiting)", idleUs - native),
      row("other-threads", "the server's other threads (V8 GC and compiler helpers)", threads.othersUs),
    );
  }
  return rows.sort((a, b) => b.ms - a.ms);
}
