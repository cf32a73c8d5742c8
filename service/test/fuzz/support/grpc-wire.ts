import * as grpc from "@grpc/grpc-js";
import { loadSync, type MethodDefinition } from "@grpc/proto-loader";
import { expect } from "vitest";
import type { ErrorKind } from "../../../src/contract/errors.js";
import { InfergateError } from "../../../src/errors.js";
import { PROTO_FILE } from "../../../src/grpc/server.js";
import { grpcFailure } from "../../../src/grpc/status.js";
import { HTTP_STATUS } from "../../../src/http/status.js";

/**
 * ModelInfer on the wire, for the gRPC properties. Messages are serialized here with the proto's
 * own encoder and sent as bytes through one client, so a mutation can reach the bytes too (a
 * message cut short, a field's length that lies, garbage after it): a generated client could only
 * send well-formed messages. `deserializeAsServer` is what the server's handler receives for the
 * same bytes, with the server's loader options (grpc/server.ts), for the decoder-level property.
 */
const definition = loadSync(PROTO_FILE, {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const modelInfer = (
  definition["inference.GRPCInferenceService"] as Record<string, MethodDefinition<object, object>>
).ModelInfer as MethodDefinition<object, object>;

export const serializeRequest = (message: object): Buffer => modelInfer.requestSerialize(message);
export const deserializeAsServer = (bytes: Buffer): unknown => modelInfer.requestDeserialize(bytes);

export type Answer =
  | { ok: true; response: Record<string, unknown> }
  | { ok: false; code: grpc.status; details: string };

/** One client on one channel; each call has a 5 s deadline, so a hang ends as a failed check. */
export function wireClient(target: string) {
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  const call = (bytes: Buffer): Promise<Answer> =>
    new Promise((resolve) => {
      client.makeUnaryRequest(
        modelInfer.path,
        (b: Buffer) => b,
        (b: Buffer) => modelInfer.responseDeserialize(b) as Record<string, unknown>,
        bytes,
        new grpc.Metadata(),
        { deadline: Date.now() + 5_000 },
        (err, response) => {
          if (err) resolve({ ok: false, code: err.code ?? grpc.status.UNKNOWN, details: err.details ?? "" });
          else resolve({ ok: true, response: response as Record<string, unknown> });
        },
      );
    });
  return { call, close: () => client.close() };
}

/**
 * The codes the catalogue's 4xx kinds map to (grpc/status.ts): INVALID_ARGUMENT, NOT_FOUND,
 * RESOURCE_EXHAUSTED, ... Never INTERNAL or UNKNOWN; nor UNAVAILABLE or DEADLINE_EXCEEDED, which
 * one client calling one at a time with long deadlines cannot meet (as 503/504 over HTTP).
 */
export const CATALOGUED_CODES: ReadonlySet<grpc.status> = new Set(
  (Object.keys(HTTP_STATUS) as ErrorKind[])
    .filter((kind) => HTTP_STATUS[kind] < 500)
    .map((kind) => grpcFailure(new InfergateError("X", kind, "x")).code),
);

/** Checks a failed call's code and message; returns the code's name (for the tally). */
export function expectCatalogued(answer: Answer): string {
  if (answer.ok) return "OK";
  expect(CATALOGUED_CODES.has(answer.code), `${grpc.status[answer.code]}: ${answer.details}`).toBe(true);
  expect(answer.details.length).toBeGreaterThan(0);
  return grpc.status[answer.code];
}
