import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Errors } from "../../src/errors.js";
import { grpcFailure } from "../../src/grpc/status.js";

describe("gRPC status of the catalogue's errors", () => {
  it.each([
    [Errors.invalidRequest("inputs: bad"), status.INVALID_ARGUMENT],
    [Errors.unauthorized(), status.UNAUTHENTICATED],
    [Errors.modelNotFound("m"), status.NOT_FOUND],
    [Errors.conflict("busy"), status.FAILED_PRECONDITION],
    [Errors.bodyTooLarge(10), status.RESOURCE_EXHAUSTED],
    [Errors.queueFull("m", 1), status.UNAVAILABLE],
    [Errors.modelNotReady("m"), status.UNAVAILABLE],
    [Errors.deadlineExceeded(5), status.DEADLINE_EXCEEDED],
    [Errors.inferenceFailed("m", 1), status.INTERNAL],
  ])("%s → its status, with the catalogue's message", (err, code) => {
    expect(grpcFailure(err)).toEqual({ code, details: err.message, kind: err.kind });
  });

  it("hides anything outside the catalogue behind INTERNAL", () => {
    expect(grpcFailure(new Error("secret path /etc/x"))).toEqual({
      code: status.INTERNAL,
      details: "internal server error",
      kind: "internal",
    });
  });
});
