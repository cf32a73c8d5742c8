import { MAX_TIMEOUT_MS } from "../core/data-plane.js";
import { Errors } from "../errors.js";

/** Which version answered: set on every prediction response (canary routing makes it vary). */
export const MODEL_VERSION_HEADER = "x-model-version";

/** Content type of bodies the server writes as JSON text itself (Fastify then sends them as they are). */
export const JSON_UTF8 = "application/json; charset=utf-8";

/** A header's single value (the first, when a client repeats it). */
export function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

/** The header that bounds how long a request may wait in the queue (dropped unrun after it). */
export const TIMEOUT_HEADER = "x-request-timeout-ms";

/** Parses the per-request timeout header; absent means none. */
export function parseTimeoutHeader(text: string | string[] | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TIMEOUT_MS) {
    throw Errors.invalidRequest(
      `${TIMEOUT_HEADER} must be an integer from 1 to ${MAX_TIMEOUT_MS}, got "${text}"`,
    );
  }
  return n;
}
