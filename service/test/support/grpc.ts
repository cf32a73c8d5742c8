import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { PROTO_FILE } from "../../src/grpc/server.js";

export type GrpcCall = (request: object, metadata?: grpc.Metadata) => Promise<Record<string, unknown>>;

/** A client of the protocol's gRPC service, generated from the proto at run time as a user's would be. */
export function grpcClient(
  target: string,
  protoFile = PROTO_FILE,
  options: grpc.ChannelOptions = {},
): { call: (method: string) => GrpcCall; close: () => void } {
  const pkg = grpc.loadPackageDefinition(
    loadSync(protoFile, { keepCase: true, longs: String, defaults: true }),
  );
  const Ctor = (pkg.inference as grpc.GrpcObject).GRPCInferenceService as grpc.ServiceClientConstructor;
  const c = new Ctor(target, grpc.credentials.createInsecure(), options);
  const call =
    (method: string): GrpcCall =>
    (request, metadata = new grpc.Metadata()) =>
      new Promise((resolve, reject) => {
        const fn = c[method] as (
          r: object,
          m: grpc.Metadata,
          cb: (e: Error | null, v: unknown) => void,
        ) => void;
        fn.call(c, request, metadata, (err, value) =>
          err ? reject(err) : resolve(value as Record<string, unknown>),
        );
      });
  return { call, close: () => c.close() };
}

/** ServerReady over gRPC, false on any failure. */
export async function grpcServerReady(target: string, protoFile = PROTO_FILE): Promise<boolean> {
  const client = grpcClient(target, protoFile);
  try {
    return (await client.call("ServerReady")({})).ready === true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}
