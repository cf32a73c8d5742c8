/**
 * The one catalogue of errors the service raises. Each has a stable code, an HTTP status and a
 * message that names what is wrong; the HTTP error handler turns any of them into
 * `{"error": message}` with that status. Nothing else decides status codes.
 */
export class InfergateError extends Error {
  override name = "InfergateError";
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

type Factory<A extends unknown[]> = ((...args: A) => InfergateError) & { code: string; statusCode: number };

function define<A extends unknown[]>(
  code: string,
  statusCode: number,
  message: (...args: A) => string,
  headers?: (...args: A) => Record<string, string>,
): Factory<A> {
  const factory = (...args: A) => new InfergateError(code, statusCode, message(...args), headers?.(...args));
  return Object.assign(factory, { code, statusCode });
}

export const Errors = {
  // 400: the request is malformed or does not fit the model
  invalidJson: define("INVALID_JSON", 400, (detail: string) => `request body is not valid JSON: ${detail}`),
  invalidRequest: define("INVALID_REQUEST", 400, (detail: string) => detail),
  invalidCompressedBody: define(
    "INVALID_COMPRESSED_BODY",
    400,
    (encoding: string, detail: string) =>
      `request body is not valid ${encoding} data (Content-Encoding: ${encoding}): ${detail}`,
  ),
  unknownInput: define(
    "UNKNOWN_INPUT",
    400,
    (model: string, input: string, expected: readonly string[]) =>
      `model "${model}" has no input named "${input}" (inputs: ${expected.join(", ")})`,
  ),
  missingInput: define(
    "MISSING_INPUT",
    400,
    (model: string, input: string) => `model "${model}" expects input "${input}", which the request lacks`,
  ),
  duplicateInput: define(
    "DUPLICATE_INPUT",
    400,
    (input: string) => `input "${input}" is given more than once`,
  ),
  unknownOutput: define(
    "UNKNOWN_OUTPUT",
    400,
    (model: string, output: string, expected: readonly string[]) =>
      `model "${model}" has no output named "${output}" (outputs: ${expected.join(", ")})`,
  ),
  datatypeMismatch: define(
    "DATATYPE_MISMATCH",
    400,
    (input: string, expected: string, got: string) =>
      `input "${input}" must have datatype ${expected}, got ${got}`,
  ),
  shapeMismatch: define(
    "SHAPE_MISMATCH",
    400,
    (input: string, detail: string) => `input "${input}": ${detail}`,
  ),
  invalidTensorData: define(
    "INVALID_TENSOR_DATA",
    400,
    (input: string, detail: string) => `input "${input}": ${detail}`,
  ),
  invalidVersion: define(
    "INVALID_VERSION",
    400,
    (version: string) => `"${version}" is not a model version (positive integer)`,
  ),
  // 401 / 409
  unauthorized: define(
    "UNAUTHORIZED",
    401,
    () => "missing or wrong bearer token",
    () => ({ "www-authenticate": 'Bearer realm="infergate-admin"' }),
  ),
  conflict: define("CONFLICT", 409, (detail: string) => detail),
  // 404
  routeNotFound: define("ROUTE_NOT_FOUND", 404, (method: string, url: string) => `no route ${method} ${url}`),
  modelNotFound: define("MODEL_NOT_FOUND", 404, (model: string) => `model "${model}" is not served here`),
  versionNotFound: define(
    "VERSION_NOT_FOUND",
    404,
    (model: string, version: number) => `model "${model}" has no version ${version} served here`,
  ),
  // 413 / 415
  bodyTooLarge: define(
    "BODY_TOO_LARGE",
    413,
    (limit: number) => `request body exceeds the limit of ${limit} bytes`,
  ),
  unsupportedMediaType: define(
    "UNSUPPORTED_MEDIA_TYPE",
    415,
    (type: string) => `content type "${type}" is not supported; send application/json`,
  ),
  unsupportedContentEncoding: define(
    "UNSUPPORTED_CONTENT_ENCODING",
    415,
    (encoding: string, supported: string) =>
      `content encoding "${encoding}" is not supported; send ${supported} or an uncompressed body`,
  ),
  // 503 / 504: the server cannot take this request now
  modelNotReady: define(
    "MODEL_NOT_READY",
    503,
    (model: string, version?: number) =>
      version === undefined
        ? `model "${model}" has no ready version`
        : `model "${model}" version ${version} is not ready`,
    () => ({ "retry-after": "1" }),
  ),
  queueFull: define(
    "QUEUE_FULL",
    503,
    (model: string, version: number) => `model "${model}" version ${version} is at capacity; retry later`,
    () => ({ "retry-after": "1" }),
  ),
  shuttingDown: define(
    "SHUTTING_DOWN",
    503,
    () => "server is shutting down",
    () => ({ "retry-after": "1" }),
  ),
  deadlineExceeded: define(
    "DEADLINE_EXCEEDED",
    504,
    (timeoutMs: number) => `request waited longer than its ${timeoutMs} ms timeout and was not run`,
  ),
  // 500: our fault, never the caller's input
  inferenceFailed: define(
    "INFERENCE_FAILED",
    500,
    (model: string, version: number) => `inference failed for "${model}" version ${version}`,
  ),
  internal: define("INTERNAL", 500, () => "internal server error"),
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
      | "warmup",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
