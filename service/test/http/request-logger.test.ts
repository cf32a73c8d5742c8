import { Writable } from "node:stream";
import type { FastifyBaseLogger } from "fastify";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { lazyChildLogger, requestIdGenerator } from "../../src/http/request-logger.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level: "info" }, stream) as unknown as FastifyBaseLogger, lines };
}

describe("lazy request logger", () => {
  it("makes the pino child only when the request logs, with the request id bound", async () => {
    const { logger, lines } = capture();
    const child = vi.spyOn(logger, "child");
    const quiet = lazyChildLogger(logger, { reqId: "r-1" }, {});
    quiet.debug("below the level: not written");
    expect(quiet.level).toBe("info");
    expect(child).toHaveBeenCalledTimes(1); // debug() went to a real child, which dropped it

    const silent = lazyChildLogger(logger, { reqId: "r-2" }, {});
    expect(silent.level).toBe("info");
    expect(child).toHaveBeenCalledTimes(1); // reading the level makes no child

    const loud = lazyChildLogger(logger, { reqId: "r-3" }, {});
    loud.error({ code: "x" }, "failed");
    loud.info("again");
    expect(child).toHaveBeenCalledTimes(2);
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.reqId, l.msg, l.level])).toEqual([
      ["r-3", "failed", 50],
      ["r-3", "again", 30],
    ]);
  });

  it("honours a per-route level and hands out real children", () => {
    const { logger } = capture();
    const log = lazyChildLogger(logger, { reqId: "r-4" }, { level: "warn" });
    expect(log.level).toBe("warn");
    const sub = log.child({ part: "x" });
    expect(sub.level).toBe("warn");
  });
});

describe("request ids", () => {
  it("are unique per process, short, and differ between processes (random prefix)", () => {
    const next = requestIdGenerator();
    const ids = Array.from({ length: 1000 }, () => next());
    expect(new Set(ids).size).toBe(1000);
    expect(ids[0]).toMatch(/^[0-9a-f]{12}-1$/);
    expect(requestIdGenerator()().split("-")[0]).not.toBe(ids[0]?.split("-")[0]);
  });
});
