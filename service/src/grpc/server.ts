import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import type { Logger } from "pino";
import { type DataPlane, MAX_TIMEOUT_MS } from "../core/data-plane.js";
import { Errors } from "../errors.js";
import { type BoundCounter, bindCounter } from "../metrics/bound-metrics.js";
import type { Metrics } from "../metrics/service-metrics.js";
import { findInRoot } from "../paths.js";
import {
  decodeGrpcInferRequest,
  encodeGrpcInferResponse,
  type GrpcInferRequest,
} from "../protocol/grpc-codec.js";
import { grpcFailure } from "./status.js";

/** The protocol's definition, shipped beside the code (the Dockerfile copies `service/proto`). */
export const PROTO_FILE = findInRoot("service", "proto", "open_inference_grpc.proto");

// 64-bit integers as decimal strings (exact; the codec converts), defaults filled in, field names as in the proto.
const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

/** What the gRPC server takes from the server's settings. */
export type GrpcSettings = Readonly<{ bodyLimitBytes: number; routingKeyHeader: string }>;

type Deps = Readonly<{
  dataPlane: DataPlane;
  logger: Logger;
  metrics: Metrics;
  config: GrpcSettings;
}>;

type NameVersion = { name: string; version: string };

/** The call's deadline as a timeout for the queue (a request past it is dropped, never run). */
function deadlineTimeout(call: grpc.ServerUnaryCall<unknown, unknown>): number | undefined {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(at)) return undefined;
  return Math.min(MAX_TIMEOUT_MS, Math.max(1, Math.floor(at - Date.now())));
}

/** A call whose bytes are not a message of the method's request type (the protobuf decoder refused them). */
class MalformedRequest {
  constructor(readonly detail: string) {}
}

/**
 * The service with request decoders that never throw: grpc-js ends a call whose decoder throws
 * with INTERNAL before any handler sees it (uncounted, unlogged), which would make a client's
 * malformed bytes look like the server's fault. A message that does not decode reaches the
 * handler as a MalformedRequest instead, and `unary` ends it INVALID_ARGUMENT with protobuf's
 * reason, counted and logged like any other refusal.
 */
function tolerantDecoders(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const methods = Object.entries(service).map(([name, method]) => {
    const decode = method.requestDeserialize;
    const requestDeserialize = (bytes: Buffer): unknown => {
      try {
        return decode(bytes);
      } catch (err) {
        return new MalformedRequest(err instanceof Error ? err.message : String(err));
      }
    };
    return [name, { ...method, requestDeserialize }];
  });
  return Object.fromEntries(methods) as grpc.ServiceDefinition;
}

/**
 * The Open Inference Protocol's gRPC service over the same data plane as REST: handlers only
 * decode, delegate and encode, as the REST routes do. Message size is bounded by the same limit
 * as HTTP bodies.
 */
export function createGrpcServer({ dataPlane, logger, metrics, config }: Deps): grpc.Server {
  const definition = loadSync(PROTO_FILE, LOADER_OPTIONS);
  const inference = grpc.loadPackageDefinition(definition).inference as grpc.GrpcObject;
  const service = tolerantDecoders((inference.GRPCInferenceService as grpc.ServiceClientConstructor).service);
  const log = logger.child({ transport: "grpc" });
  const logSuccesses = log.isLevelEnabled("debug");
  const routingKeyHeader = config.routingKeyHeader;

  /**
   * Runs a handler; a failure ends the call with its status and one log line, like HTTP's. Every
   * call is counted by method and status (series bound on first use: no per-call label lookup).
   */
  const unary = <Req, Res>(
    method: string,
    handler: (call: grpc.ServerUnaryCall<Req, Res>) => Res | Promise<Res>,
  ) => {
    const counted: (BoundCounter | undefined)[] = [];
    const count = (code: grpc.status) => {
      let counter = counted[code];
      if (!counter) {
        counter = bindCounter(metrics.grpcRequests, { method, code: grpc.status[code] });
        counted[code] = counter;
      }
      counter.inc();
    };
    return (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      Promise.resolve()
        .then(() => {
          const request: unknown = call.request;
          if (request instanceof MalformedRequest) {
            throw Errors.invalidRequest(`the request is not a valid ${method} message: ${request.detail}`);
          }
          return handler(call);
        })
        .then(
          (response) => {
            count(grpc.status.OK);
            if (logSuccesses) log.debug({ method, code: "OK" }, "call completed");
            callback(null, response);
          },
          (err: unknown) => {
            const failure = grpcFailure(err);
            count(failure.code);
            const line = { method, code: grpc.status[failure.code], details: failure.details };
            if (failure.kind === "internal") log.error({ ...line, err }, "call failed");
            else log.info(line, "call rejected");
            callback({ code: failure.code, details: failure.details });
          },
        );
    };
  };

  const version = (v: string) => (v === "" ? undefined : v);
  const server = new grpc.Server({
    "grpc.max_receive_message_length": config.bodyLimitBytes,
    "grpc.max_send_message_length": -1,
  });
  server.addService(service, {
    ServerLive: unary("ServerLive", () => ({ live: dataPlane.live() })),
    ServerReady: unary("ServerReady", () => ({ ready: dataPlane.ready() })),
    ModelReady: unary<NameVersion, unknown>("ModelReady", (call) => ({
      ready: dataPlane.modelReady(call.request.name, version(call.request.version)),
    })),
    ServerMetadata: unary("ServerMetadata", () => dataPlane.serverMetadata()),
    ModelMetadata: unary<NameVersion, unknown>("ModelMetadata", (call) =>
      dataPlane.modelMetadata(call.request.name, version(call.request.version)),
    ),
    ModelInfer: unary<GrpcInferRequest, unknown>("ModelInfer", async (call) => {
      const req = call.request;
      if (req.model_name === "") throw Errors.invalidRequest("model_name: required");
      const key = call.metadata.get(routingKeyHeader)[0];
      const route = dataPlane.route(req.model_name, version(req.model_version), key?.toString());
      const result = await dataPlane.infer(
        route,
        (target) => decodeGrpcInferRequest(req, target),
        deadlineTimeout(call),
      );
      return encodeGrpcInferResponse(result);
    }),
  });
  return server;
}

/** Binds on host:port (0: any free port) and returns the port bound. */
export function listenGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // Brackets for IPv6 literals; the server is plaintext HTTP/2 (TLS ends at the load balancer or mesh).
    const address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
}

/** Stops taking calls and waits for those in flight (the caller bounds the wait with forceShutdown). */
export function closeGrpc(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => server.tryShutdown(() => resolve()));
}
