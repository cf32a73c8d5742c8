import pino, { type Logger } from "pino";
import type { Config } from "./config.js";

/**
 * JSON logs (pino). Bodies are never logged unless INFERGATE_LOG_PAYLOADS is on; auth headers
 * are always redacted.
 */
export function createLogger(config: Pick<Config, "logLevel">, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: "infergate", pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ["req.headers.authorization", "req.headers.cookie", "headers.authorization"],
        censor: "[redacted]",
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
