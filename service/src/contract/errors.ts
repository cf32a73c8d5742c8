/**
 * What kind of failure an error is, in transport-neutral terms. The error catalogue
 * (service/src/errors.ts) gives each error a kind; only the transports turn kinds into their
 * own statuses (http/status.ts, grpc/status.ts).
 */
export const ERROR_KINDS = [
  /** The request is malformed or does not fit the model. */
  "invalid_argument",
  /** Missing or wrong credentials. */
  "unauthenticated",
  /** No such model, version or route. */
  "not_found",
  /** The request conflicts with the server's state (an admin change it cannot apply). */
  "conflict",
  /** The request is larger than allowed. */
  "too_large",
  /** A content type or encoding the server does not take. */
  "unsupported_media",
  /** The client should slow down: its requests exceed what the server takes now. */
  "resource_exhausted",
  /** The server cannot take this request now (not ready, at capacity, draining). */
  "unavailable",
  /** The request waited past its deadline and was not run. */
  "deadline_exceeded",
  /** The server's own fault, never the caller's input. */
  "internal",
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];
