import { describe, expect, it } from "vitest";
import { ERROR_KINDS } from "../src/contract/errors.js";
import { Errors, InfergateError, ModelLoadError } from "../src/errors.js";
import { errorHeaders, HTTP_STATUS } from "../src/http/status.js";

type Catalogue = typeof Errors;
type Name = keyof Catalogue;

/**
 * One plausible call per catalogue entry and what it must produce. The mapped type makes tsc
 * demand a sample for every entry, and the tests walk `Errors` itself (not this table), so an
 * entry added without a sample fails here instead of going untested.
 */
const SAMPLES: { [K in Name]: { args: Parameters<Catalogue[K]>; message: string } } = {
  invalidJson: {
    args: ["Unexpected token } in JSON at position 7"],
    message: "request body is not valid JSON: Unexpected token } in JSON at position 7",
  },
  invalidRequest: { args: ["instances: Too small"], message: "instances: Too small" },
  invalidCompressedBody: {
    args: ["gzip", "incorrect header check"],
    message: "request body is not valid gzip data (Content-Encoding: gzip): incorrect header check",
  },
  unknownInput: {
    args: ["digits", "pixels", ["input"]],
    message: 'model "digits" has no input named "pixels" (inputs: input)',
  },
  missingInput: {
    args: ["digits", "input"],
    message: 'model "digits" expects input "input", which the request lacks',
  },
  duplicateInput: { args: ["input"], message: 'input "input" is given more than once' },
  unknownOutput: {
    args: ["digits", "logits", ["label", "probabilities"]],
    message: 'model "digits" has no output named "logits" (outputs: label, probabilities)',
  },
  datatypeMismatch: {
    args: ["input", "FP32", "INT64"],
    message: 'input "input" must have datatype FP32, got INT64',
  },
  shapeMismatch: {
    args: ["input", "dimension 1 must be 64 (shape [-1,64]), got [1,3]"],
    message: 'input "input": dimension 1 must be 64 (shape [-1,64]), got [1,3]',
  },
  invalidTensorData: {
    args: ["input", 'element 67 is string "x", expected a number for FP32'],
    message: 'input "input": element 67 is string "x", expected a number for FP32',
  },
  tooManyRows: {
    args: ["input", 100, 32],
    message: 'input "input" has 100 rows; a request may carry at most 32 (INFERGATE_MAX_ROWS_PER_REQUEST)',
  },
  invalidVersion: { args: ["two"], message: '"two" is not a model version (positive integer)' },
  unauthorized: { args: [], message: "missing or wrong bearer token" },
  conflict: { args: ["model has no candidate"], message: "model has no candidate" },
  routeNotFound: { args: ["GET", "/v3/models"], message: "no route GET /v3/models" },
  modelNotFound: { args: ["cats"], message: 'model "cats" is not served here' },
  versionNotFound: { args: ["digits", 9], message: 'model "digits" has no version 9 served here' },
  bodyTooLarge: { args: [1048576], message: "request body exceeds the limit of 1048576 bytes" },
  unsupportedMediaType: {
    args: ["text/csv"],
    message: 'content type "text/csv" is not supported; send application/json',
  },
  unsupportedContentEncoding: {
    args: ["br", "gzip, deflate"],
    message: 'content encoding "br" is not supported; send gzip, deflate or an uncompressed body',
  },
  modelNotReady: { args: ["digits", 2], message: 'model "digits" version 2 is not ready' },
  queueFull: { args: ["digits", 2], message: 'model "digits" version 2 is at capacity; retry later' },
  shuttingDown: { args: [], message: "server is shutting down" },
  overBudget: {
    args: [4096, 1024],
    message:
      "the server holds as much request data as it may (1024 bytes); a body of 4096 bytes must wait: retry later",
  },
  deadlineExceeded: {
    args: [250],
    message: "request waited longer than its 250 ms timeout and was not run",
  },
  inferenceFailed: { args: ["digits", 2], message: 'inference failed for "digits" version 2' },
  internal: { args: [], message: "internal server error" },
};

/** The codes and statuses callers and dashboards depend on; changing one is an API change. */
const STATUS: Record<string, [code: string, status: number]> = {
  invalidJson: ["INVALID_JSON", 400],
  invalidRequest: ["INVALID_REQUEST", 400],
  invalidCompressedBody: ["INVALID_COMPRESSED_BODY", 400],
  unknownInput: ["UNKNOWN_INPUT", 400],
  missingInput: ["MISSING_INPUT", 400],
  duplicateInput: ["DUPLICATE_INPUT", 400],
  unknownOutput: ["UNKNOWN_OUTPUT", 400],
  datatypeMismatch: ["DATATYPE_MISMATCH", 400],
  shapeMismatch: ["SHAPE_MISMATCH", 400],
  invalidTensorData: ["INVALID_TENSOR_DATA", 400],
  tooManyRows: ["TOO_MANY_ROWS", 400],
  invalidVersion: ["INVALID_VERSION", 400],
  unauthorized: ["UNAUTHORIZED", 401],
  conflict: ["CONFLICT", 409],
  routeNotFound: ["ROUTE_NOT_FOUND", 404],
  modelNotFound: ["MODEL_NOT_FOUND", 404],
  versionNotFound: ["VERSION_NOT_FOUND", 404],
  bodyTooLarge: ["BODY_TOO_LARGE", 413],
  unsupportedMediaType: ["UNSUPPORTED_MEDIA_TYPE", 415],
  unsupportedContentEncoding: ["UNSUPPORTED_CONTENT_ENCODING", 415],
  modelNotReady: ["MODEL_NOT_READY", 503],
  queueFull: ["QUEUE_FULL", 503],
  shuttingDown: ["SHUTTING_DOWN", 503],
  overBudget: ["OVER_MEMORY_BUDGET", 503],
  deadlineExceeded: ["DEADLINE_EXCEEDED", 504],
  inferenceFailed: ["INFERENCE_FAILED", 500],
  internal: ["INTERNAL", 500],
};

const entries = Object.entries(Errors) as [Name, Catalogue[Name]][];

function call(name: Name): InfergateError {
  const sample = SAMPLES[name] as { args: unknown[] } | undefined;
  if (!sample) throw new Error(`no sample arguments for Errors.${name}; add one to SAMPLES`);
  return (Errors[name] as (...args: unknown[]) => InfergateError)(...sample.args);
}

describe("the error catalogue", () => {
  it("has a sample for every entry and no sample for entries that are gone", () => {
    expect(entries.length).toBeGreaterThanOrEqual(23);
    expect(Object.keys(SAMPLES).sort()).toEqual(entries.map(([name]) => name).sort());
  });

  it.each(entries)(
    "Errors.%s builds an InfergateError with its factory's code and status",
    (name, factory) => {
      const err = call(name);
      expect(err).toBeInstanceOf(InfergateError);
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe("InfergateError");
      expect(err.code).toBe(factory.code);
      expect(err.kind).toBe(factory.kind);
      expect(err.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(ERROR_KINDS).toContain(err.kind);
      expect(err.message).toBe(SAMPLES[name].message);
      expect(err.stack).toContain(err.message);
    },
  );

  it.each(entries)("Errors.%s is deterministic: same arguments, same error", (name) => {
    const a = call(name);
    const b = call(name);
    expect([b.code, b.kind, b.message, b.retryAfterSeconds]).toEqual([
      a.code,
      a.kind,
      a.message,
      a.retryAfterSeconds,
    ]);
  });

  it("gives every entry a distinct code", () => {
    const codes = entries.map(([, f]) => f.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("keeps the published codes and HTTP statuses (the kind's status, http/status.ts)", () => {
    const actual = Object.fromEntries(entries.map(([name, f]) => [name, [f.code, HTTP_STATUS[f.kind]]]));
    expect(actual).toEqual(STATUS);
  });

  it("puts Retry-After on every 503 and no other entry, and WWW-Authenticate on the 401", () => {
    for (const [name] of entries) {
      const err = call(name);
      const status = HTTP_STATUS[err.kind];
      if (status === 503) expect(errorHeaders(err), name).toEqual({ "retry-after": "1" });
      else if (status === 401)
        expect(errorHeaders(err), name).toEqual({ "www-authenticate": 'Bearer realm="infergate-admin"' });
      else expect(errorHeaders(err), name).toBeUndefined();
    }
  });

  it("names the unready version only when one is given", () => {
    expect(Errors.modelNotReady("digits").message).toBe('model "digits" has no ready version');
    expect(Errors.modelNotReady("digits", 3).message).toBe('model "digits" version 3 is not ready');
  });

  it("keeps 5xx messages free of caller-supplied or internal detail", () => {
    expect(Errors.internal().message).toBe("internal server error");
    expect(Errors.inferenceFailed("digits", 2).message).not.toMatch(/Error|at |\n/);
  });
});

describe("ModelLoadError", () => {
  it("carries its reason and cause", () => {
    const cause = new Error("ENOENT");
    const err = new ModelLoadError("not_found", "s3://bucket/digits/9: no such version", { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(InfergateError);
    expect(err.name).toBe("ModelLoadError");
    expect(err.reason).toBe("not_found");
    expect(err.message).toBe("s3://bucket/digits/9: no such version");
    expect(err.cause).toBe(cause);
  });
});
