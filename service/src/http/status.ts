import type { ErrorKind } from "../contract/errors.js";
import type { InfergateError } from "../errors.js";

/** The HTTP status of each kind of failure (the catalogue's kinds, contract/errors.ts). */
export const HTTP_STATUS: Readonly<Record<ErrorKind, number>> = Object.freeze({
  invalid_argument: 400,
  unauthenticated: 401,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  resource_exhausted: 429,
  unavailable: 503,
  deadline_exceeded: 504,
  internal: 500,
});

/** The response headers an error implies: Retry-After when it may be retried, the auth challenge on 401. */
export function errorHeaders(err: InfergateError): Record<string, string> | undefined {
  if (err.kind === "unauthenticated") return { "www-authenticate": 'Bearer realm="infergate-admin"' };
  if (err.retryAfterSeconds !== undefined) return { "retry-after": String(err.retryAfterSeconds) };
  return undefined;
}
