import type * as grpc from "@grpc/grpc-js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenGrpc } from "../../src/grpc/server.js";
import { decodeGrpcInferRequest, type GrpcInferRequest } from "../../src/protocol/grpc-codec.js";
import { decodeOutcome, expectDecodedAs } from "./support/decode-oracle.js";
import { startFuzzedService } from "./support/digits.js";
import { callCase, expectValidAnswer, requestBytes } from "./support/grpc-calls.js";
import { typedGrpcCase, typedMessage } from "./support/grpc-messages.js";
import { applyMessageMutation, messageMutation } from "./support/grpc-mutations.js";
import { deserializeAsServer, expectCatalogued, serializeRequest, wireClient } from "./support/grpc-wire.js";
import { runParameters, Tally } from "./support/settings.js";
import { TYPED_TARGET } from "./support/typed-target.js";

/**
 * Issue #21: generated ModelInfer calls over gRPC (127.0.0.1, one client), typed contents and
 * raw_input_contents, valid ones built from the digits model's signature and mutations of their
 * fields and of their bytes on the wire. Every call ends OK or with a catalogued code and a
 * message (never INTERNAL or UNKNOWN), every valid call OK with the right outputs. Then
 * decodeGrpcInferRequest directly, on messages as the server's loader makes them, for a
 * signature of every datatype.
 */
// 12,000 generated requests for this decoder (issue #21 asks ≥ 10,000): most through the whole
// route, the rest straight into the decoder, which is what keeps the file within ~30 s on 2 cores.
const ROUTE_RUNS = 8_000;
const DECODER_RUNS = 4_000;

type Svc = Awaited<ReturnType<typeof startFuzzedService>>;

describe("fuzz: gRPC ModelInfer", () => {
  let svc: Svc;
  let client: ReturnType<typeof wireClient>;
  beforeAll(async () => {
    svc = await startFuzzedService({ INFERGATE_GRPC_PORT: "0" });
    const port = await listenGrpc(svc.grpc as grpc.Server, "127.0.0.1", 0);
    client = wireClient(`127.0.0.1:${port}`);
  });
  afterAll(async () => {
    client?.close();
    await svc?.close();
  });

  it(`ends ${ROUTE_RUNS} valid and mutated calls OK or with a catalogued code`, async () => {
    const tally = new Tally("gRPC ModelInfer");
    await fc.assert(
      fc.asyncProperty(callCase, async (c) => {
        const answer = await client.call(requestBytes(c));
        const code = expectCatalogued(answer);
        if (c.mutations === undefined) expectValidAnswer(answer, c.base);
        tally.add(
          c.mutations === undefined ? "valid" : "mutated",
          code,
          answer.ok ? undefined : answer.details,
        );
      }),
      runParameters(ROUTE_RUNS),
    );
    tally.print();
    expect(tally.total).toBeGreaterThanOrEqual(ROUTE_RUNS);
    expect(tally.count("valid", "OK")).toBeGreaterThan(ROUTE_RUNS / 5);
    expect(tally.answers("mutated")).toEqual(
      expect.arrayContaining(["OK", "INVALID_ARGUMENT", "NOT_FOUND", "RESOURCE_EXHAUSTED"]),
    );
    expect(tally.distinctChecks).toBeGreaterThan(30);
  }, 60_000);

  it(`decodes ${DECODER_RUNS} messages of every datatype exactly, or refuses them with a catalogued 4xx`, () => {
    const tally = new Tally("gRPC decoder");
    const mutated = fc.oneof(fc.constant(undefined), {
      weight: 2,
      arbitrary: fc.array(messageMutation, { minLength: 1, maxLength: 2 }),
    });
    fc.assert(
      fc.property(typedGrpcCase, mutated, (c, fields) => {
        const message = typedMessage(c);
        for (const m of fields ?? []) applyMessageMutation(message, m);
        const received = deserializeAsServer(serializeRequest(message)) as GrpcInferRequest;
        const outcome = decodeOutcome(() => decodeGrpcInferRequest(received, TYPED_TARGET));
        if (fields === undefined) expectDecodedAs(outcome, c.inputs);
        const kind = fields === undefined ? "valid" : "mutated";
        if ("refused" in outcome) tally.add(kind, "refused", outcome.refused.message);
        else tally.add(kind, "decoded");
      }),
      runParameters(DECODER_RUNS),
    );
    tally.print();
    expect(tally.count("valid", "decoded")).toBe(tally.count("valid"));
    expect(tally.count("mutated", "refused")).toBeGreaterThan(DECODER_RUNS / 4);
  }, 60_000);

  it("still answers a known-good call afterwards", async () => {
    const answer = await client.call(
      requestBytes({
        base: {
          spec: {
            rows: 1,
            fill: "zeros",
            fillSeed: 0,
            nested: false,
            version: undefined,
            id: undefined,
            timeoutMs: undefined,
            binaryAll: false,
            outputs: undefined,
          },
          raw: true,
        },
        mutations: undefined,
      }),
    );
    expect(answer.ok).toBe(true);
    expect((await svc.app.inject("/v2/health/ready")).statusCode).toBe(200);
    expect(svc.errors, "error-level log lines during the run").toEqual([]);
  });
});
