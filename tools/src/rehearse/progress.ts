/**
 * What a watcher sees while a rehearsal runs (stderr): a line when each stage starts and ends,
 * with the time since the rehearsal started, and every few seconds the live count of production
 * requests and failures; and the stage records report.json keeps.
 */
import type { StageName, StageRecord } from "./report/types.js";
import type { TrafficCounts } from "./traffic.js";

export const STAGE_ORDER: readonly StageName[] = [
  "candidate",
  "accuracy gate",
  "publish",
  "load gate",
  "canary",
  "promote",
];

export type StageResult = { status: "passed" | "failed"; summary: string; reports?: string[] };

const LIVE_EVERY_MS = 5000;
const MARK = { passed: "✓", failed: "✗", error: "!", skipped: "-" } as const;

export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function liveCount(c: Pick<TrafficCounts, "requests" | "failed" | "byVersion">): string {
  const versions = Object.entries(c.byVersion)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([v, n]) => `v${v} ${n}`)
    .join(", ");
  return `production: ${c.requests} requests, ${c.failed} failed${versions ? ` (answered by ${versions})` : ""}`;
}

export class Progress {
  readonly startedAt = Date.now();
  /** Every stage, "skipped" until it runs. */
  readonly records: StageRecord[] = STAGE_ORDER.map((name) => ({
    name,
    status: "skipped",
    started_at: null,
    seconds: 0,
    summary: "not reached",
    reports: [],
  }));
  /** The production counts, once traffic runs. */
  counts: (() => TrafficCounts) | undefined;

  constructor(private readonly out: NodeJS.WritableStream = process.stderr) {}

  elapsed(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  line(text: string): void {
    this.out.write(`[${clock(this.elapsed()).padStart(5)}] ${text}\n`);
  }

  /** Runs one stage: its start and end lines, the live count meanwhile, its record. */
  async stage(name: StageName, work: () => Promise<StageResult>): Promise<StageResult> {
    const record = this.records.find((r) => r.name === name) as StageRecord;
    const started = Date.now();
    record.started_at = new Date(started).toISOString();
    this.line(`▶ ${name}`);
    const timer = setInterval(() => {
      if (this.counts) this.line(`  … ${name}: ${liveCount(this.counts())}`);
    }, LIVE_EVERY_MS);
    try {
      const result = await work();
      Object.assign(record, {
        status: result.status,
        summary: result.summary,
        reports: result.reports ?? [],
      });
      return result;
    } catch (err) {
      Object.assign(record, { status: "error", summary: (err as Error).message.split("\n")[0] });
      throw err;
    } finally {
      clearInterval(timer);
      record.seconds = Math.round((Date.now() - started) / 100) / 10;
      this.line(`${MARK[record.status]} ${name} ${record.status} in ${record.seconds} s: ${record.summary}`);
    }
  }

  /** Marks the stages after a stop as not run, saying why. */
  skipRest(why: string): void {
    for (const r of this.records) if (r.started_at === null) r.summary = why;
  }
}
