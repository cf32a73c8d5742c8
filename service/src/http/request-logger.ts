import { randomBytes } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import type { Bindings, ChildLoggerOptions, Level, LogFn } from "pino";

/**
 * Fastify gives every request a child logger. A pino child serializes its bindings and sets up
 * its level methods when it is made; on the predict path almost no request ever logs (successes
 * are counted in metrics), so this one makes the real child on the first log call only. It has
 * the methods Fastify checks a logger for, on the prototype: a request allocates this object and
 * nothing else (arrow-function fields would be seven closures per request).
 */
class LazyRequestLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.opts);
    return this.made;
  }

  get level(): string {
    return this.made?.level ?? this.opts.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real.level = level;
  }

  fatal(...args: Parameters<LogFn>): void {
    this.real.fatal(...args);
  }
  error(...args: Parameters<LogFn>): void {
    this.real.error(...args);
  }
  warn(...args: Parameters<LogFn>): void {
    this.real.warn(...args);
  }
  info(...args: Parameters<LogFn>): void {
    this.real.info(...args);
  }
  debug(...args: Parameters<LogFn>): void {
    this.real.debug(...args);
  }
  trace(...args: Parameters<LogFn>): void {
    this.real.trace(...args);
  }
  silent(): void {}

  isLevelEnabled(level: Level): boolean {
    return (this.parent as unknown as { isLevelEnabled(l: Level): boolean }).isLevelEnabled(level);
  }

  child(bindings: Bindings, opts?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, opts);
  }
}

/** Fastify `childLoggerFactory`: a request logger that costs nothing until something is logged. */
export function lazyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  opts: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, opts) as unknown as FastifyBaseLogger;
}

/**
 * Request ids unique across pods and restarts without a random UUID per request: a random
 * per-process prefix and a counter (e.g. `3f9a1c2e7b40-1a`).
 */
export function requestIdGenerator(): () => string {
  const prefix = randomBytes(6).toString("hex");
  let n = 0;
  return () => `${prefix}-${(++n).toString(36)}`;
}
