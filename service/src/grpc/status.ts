import { status } from "@grpc/grpc-js";
import type { ErrorKind } from "../contract/errors.js";
import { InfergateError } from "../errors.js";

/**
 * The catalogue's kinds of failure as gRPC status codes (as the gRPC project's HTTP mapping and
 * Triton's server map them): the catalogue stays the one place that classifies failures.
 */
const GRPC_STATUS: Readonly<Record<ErrorKind, status>> = Object.freeze({
  invalid_argument: status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  not_found: status.NOT_FOUND,
  conflict: status.FAILED_PRECONDITION,
  too_large: status.RESOURCE_EXHAUSTED,
  unsupported_media: status.INVALID_ARGUMENT,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  internal: status.INTERNAL,
});

export type GrpcFailure = { code: status; details: string; kind: ErrorKind };

/** The status and message a failed call ends with; anything outside the catalogue is INTERNAL. */
export function grpcFailure(err: unknown): GrpcFailure {
  if (!(err instanceof InfergateError)) {
    return { code: status.INTERNAL, details: "internal server error", kind: "internal" };
  }
  return { code: GRPC_STATUS[err.kind], details: err.message, kind: err.kind };
}
