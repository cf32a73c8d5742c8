import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { BinaryOutputs, DecodeTarget } from "../../contract/inference.js";
import type { DataPlane } from "../../core/data-plane.js";
import {
  decodeInferRequest,
  encodeBinaryInferResponse,
  encodeInferResponse,
} from "../../protocol/v2-codec.js";
import { BinaryBody, HEADER_LENGTH_HEADER } from "../binary-body.js";
import {
  headerValue,
  JSON_UTF8,
  MODEL_VERSION_HEADER,
  parseTimeoutHeader,
  TIMEOUT_HEADER,
} from "../headers.js";
import {
  errorResponses,
  inferenceRequest,
  inferenceResponse,
  modelMetadata,
  modelParams,
} from "../schemas.js";

type Params = { model: string; version?: string };

/**
 * Open Inference Protocol model routes, each in both forms: `/v2/models/{m}/...` (newest ready
 * version) and `/v2/models/{m}/versions/{v}/...`. Handlers only decode, delegate and encode.
 */
export async function v2ModelRoutes(
  app: FastifyInstance,
  opts: { dataPlane: DataPlane; routingKeyHeader: string },
): Promise<void> {
  const { dataPlane, routingKeyHeader } = opts;
  const routingKey = (request: FastifyRequest) => headerValue(request.headers[routingKeyHeader]);
  const both = (suffix: string) => [
    `/v2/models/:model${suffix}`,
    `/v2/models/:model/versions/:version${suffix}`,
  ];

  const metadata = async (request: FastifyRequest<{ Params: Params }>) =>
    dataPlane.modelMetadata(request.params.model, request.params.version);

  const ready = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const { model, version } = request.params;
    const isReady = dataPlane.modelReady(model, version);
    return reply
      .code(isReady ? 200 : 503)
      .send({ name: model, ...(version ? { version } : {}), ready: isReady });
  };

  const infer = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const route = dataPlane.route(request.params.model, request.params.version, routingKey(request));
    const timeout = parseTimeoutHeader(request.headers[TIMEOUT_HEADER]);
    const body = request.body;
    let binaryOutputs: BinaryOutputs | undefined;
    const decode = (target: DecodeTarget) => {
      const decoded =
        body instanceof BinaryBody
          ? decodeInferRequest(body.json, target, body.binary)
          : decodeInferRequest(body, target);
      binaryOutputs = decoded.binaryOutputs;
      return decoded;
    };
    const result = await dataPlane.infer(route, decode, timeout);
    reply.header(MODEL_VERSION_HEADER, String(result.version));
    const binary = binaryOutputs && encodeBinaryInferResponse(result, binaryOutputs);
    if (binary) {
      return reply
        .header(HEADER_LENGTH_HEADER, String(binary.headerLength))
        .type("application/octet-stream")
        .send(binary.body);
    }
    // Already JSON text: with a JSON content type Fastify sends it as it is.
    return reply.type(JSON_UTF8).send(encodeInferResponse(result));
  };

  for (const url of both("")) {
    app.get(url, {
      schema: { tags: ["models"], summary: "Model metadata" },
      config: { docs: { params: modelParams, response: { 200: modelMetadata, ...errorResponses } } },
      handler: metadata,
    });
  }
  for (const url of both("/ready")) {
    app.get(url, {
      schema: { tags: ["models"], summary: "Model ready" },
      config: { docs: { params: modelParams }, probe: true },
      handler: ready,
    });
  }
  for (const url of both("/infer")) {
    app.post(url, {
      schema: { tags: ["inference"], summary: "Inference (Open Inference Protocol)" },
      config: {
        binaryTensors: true,
        docs: {
          params: modelParams,
          body: inferenceRequest,
          response: { 200: inferenceResponse, ...errorResponses },
        },
      },
      handler: infer,
    });
  }
}
