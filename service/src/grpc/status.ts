import { status } from "@grpc/grpc-js";
import { InfergateError } from "../errors.js";

/**
 * The error catalogue's HTTP statuses as gRPC status codes (the mapping of the gRPC project's
 * "HTTP to gRPC status code mapping" and of Triton's server): the catalogue stays the one place
 * that classifies failures; this only translates them for the second transport.
 */
const BY_HTTP_STATUS: Readonly<Record<number, status>> = Object.freeze({
  400: status.INVALID_ARGUMENT,
  401: status.UNAUTHENTICATED,
  403: status.PERMISSION_DENIED,
  404: status.NOT_FOUND,
  409: status.FAILED_PRECONDITION,
  413: status.RESOURCE_EXHAUSTED,
  429: status.RESOURCE_EXHAUSTED,
  503: status.UNAVAILABLE,
  504: status.DEADLINE_EXCEEDED,
});

export type GrpcFailure = { code: status; details: string; httpStatus: number };

/** The status and message a failed call ends with; anything outside the catalogue is INTERNAL. */
export function grpcFailure(err: unknown): GrpcFailure {
  if (!(err instanceof InfergateError)) {
    return { code: status.INTERNAL, details: "internal server error", httpStatus: 500 };
  }
  const code = BY_HTTP_STATUS[err.statusCode] ?? (err.statusCode >= 500 ? status.INTERNAL : status.UNKNOWN);
  return { code, details: err.message, httpStatus: err.statusCode };
}
