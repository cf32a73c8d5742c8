import type { ErrorKind } from "./contract/errors.js";

/**
 * The one catalogue of errors the service raises. Each has a stable code, a kind (what sort of
 * failure it is, contract/errors.ts) and a message that names what is wrong; the transports turn
 * the kind into their status (http/status.ts, grpc/status.ts) and send `{"error": message}`.
 * Nothing else decides how a failure is reported.
 */
export class InfergateError extends Error {
  override name = "InfergateError";
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    /** Set when the caller may retry after this many seconds (HTTP: Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

type Factory<A extends unknown[]> = ((...args: A) => InfergateError) & { code: string; kind: ErrorKind };

function define<A extends unknown[]>(
  code: string,
  kind: ErrorKind,
  message: (...args: A) => string,
  retryAfterSeconds?: number,
): Factory<A> {
  const factory = (...args: A) => new InfergateError(code, kind, message(...args), retryAfterSeconds);
  return Object.assign(factory, { code, kind });
}

export const Errors = {
  // invalid_argument: the request is malformed or does not fit the model
  invalidJson: define(
    "INVALID_JSON",
    "invalid_argument",
    (detail: string) => `request body is not valid JSON: ${detail}`,
  ),
  invalidRequest: define("INVALID_REQUEST", "invalid_argument", (detail: string) => detail),
  invalidCompressedBody: define(
    "INVALID_COMPRESSED_BODY",
    "invalid_argument",
    (encoding: string, detail: string) =>
      `request body is not valid ${encoding} data (Content-Encoding: ${encoding}): ${detail}`,
  ),
  unknownInput: define(
    "UNKNOWN_INPUT",
    "invalid_argument",
    (model: string, input: string, expected: readonly string[]) =>
      `model "${model}" has no input named "${input}" (inputs: ${expected.join(", ")})`,
  ),
  missingInput: define(
    "MISSING_INPUT",
    "invalid_argument",
    (model: string, input: string) => `model "${model}" expects input "${input}", which the request lacks`,
  ),
  duplicateInput: define(
    "DUPLICATE_INPUT",
    "invalid_argument",
    (input: string) => `input "${input}" is given more than once`,
  ),
  unknownOutput: define(
    "UNKNOWN_OUTPUT",
    "invalid_argument",
    (model: string, output: string, expected: readonly string[]) =>
      `model "${model}" has no output named "${output}" (outputs: ${expected.join(", ")})`,
  ),
  datatypeMismatch: define(
    "DATATYPE_MISMATCH",
    "invalid_argument",
    (input: string, expected: string, got: string) =>
      `input "${input}" must have datatype ${expected}, got ${got}`,
  ),
  shapeMismatch: define(
    "SHAPE_MISMATCH",
    "invalid_argument",
    (input: string, detail: string) => `input "${input}": ${detail}`,
  ),
  invalidTensorData: define(
    "INVALID_TENSOR_DATA",
    "invalid_argument",
    (input: string, detail: string) => `input "${input}": ${detail}`,
  ),
  tooManyRows: define(
    "TOO_MANY_ROWS",
    "invalid_argument",
    (input: string, rows: number, max: number) =>
      `input "${input}" has ${rows} rows; a request may carry at most ${max} (INFERGATE_MAX_ROWS_PER_REQUEST)`,
  ),
  invalidVersion: define(
    "INVALID_VERSION",
    "invalid_argument",
    (version: string) => `"${version}" is not a model version (positive integer)`,
  ),
  // unauthenticated / conflict
  unauthorized: define("UNAUTHORIZED", "unauthenticated", () => "missing or wrong bearer token"),
  conflict: define("CONFLICT", "conflict", (detail: string) => detail),
  // not_found
  routeNotFound: define(
    "ROUTE_NOT_FOUND",
    "not_found",
    (method: string, url: string) => `no route ${method} ${url}`,
  ),
  modelNotFound: define(
    "MODEL_NOT_FOUND",
    "not_found",
    (model: string) => `model "${model}" is not served here`,
  ),
  versionNotFound: define(
    "VERSION_NOT_FOUND",
    "not_found",
    (model: string, version: number) => `model "${model}" has no version ${version} served here`,
  ),
  // too_large / unsupported_media
  bodyTooLarge: define(
    "BODY_TOO_LARGE",
    "too_large",
    (limit: number) => `request body exceeds the limit of ${limit} bytes`,
  ),
  unsupportedMediaType: define(
    "UNSUPPORTED_MEDIA_TYPE",
    "unsupported_media",
    (type: string) => `content type "${type}" is not supported; send application/json`,
  ),
  unsupportedContentEncoding: define(
    "UNSUPPORTED_CONTENT_ENCODING",
    "unsupported_media",
    (encoding: string, supported: string) =>
      `content encoding "${encoding}" is not supported; send ${supported} or an uncompressed body`,
  ),
  // unavailable / deadline_exceeded: the server cannot take this request now (retry after 1 s)
  modelNotReady: define(
    "MODEL_NOT_READY",
    "unavailable",
    (model: string, version?: number) =>
      version === undefined
        ? `model "${model}" has no ready version`
        : `model "${model}" version ${version} is not ready`,
    1,
  ),
  queueFull: define(
    "QUEUE_FULL",
    "unavailable",
    (model: string, version: number) => `model "${model}" version ${version} is at capacity; retry later`,
    1,
  ),
  shuttingDown: define("SHUTTING_DOWN", "unavailable", () => "server is shutting down", 1),
  overBudget: define(
    "OVER_MEMORY_BUDGET",
    "unavailable",
    (bytes: number, budget: number) =>
      `the server holds as much request data as it may (${budget} bytes); a body of ${bytes} bytes must wait: retry later`,
    1,
  ),
  deadlineExceeded: define(
    "DEADLINE_EXCEEDED",
    "deadline_exceeded",
    (timeoutMs: number) => `request waited longer than its ${timeoutMs} ms timeout and was not run`,
  ),
  // internal: our fault, never the caller's input
  inferenceFailed: define(
    "INFERENCE_FAILED",
    "internal",
    (model: string, version: number) => `inference failed for "${model}" version ${version}`,
  ),
  internal: define("INTERNAL", "internal", () => "internal server error"),
} as const;

/** Errors raised while loading a model version (never sent to HTTP callers as-is). */
export class ModelLoadError extends Error {
  override name = "ModelLoadError";
  constructor(
    readonly reason:
      | "fetch"
      | "not_found"
      | "access_denied"
      | "digest_mismatch"
      | "manifest"
      | "session"
      | "signature"
      | "warmup"
      | "too_large"
      | "crash",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
