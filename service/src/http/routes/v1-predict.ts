import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { DataPlane } from "../../core/data-plane.js";
import { Errors } from "../../errors.js";
import { decodePredictRequest, encodePredictResponse } from "../../protocol/v1-codec.js";
import { headerValue, MODEL_VERSION_HEADER, parseTimeoutHeader, TIMEOUT_HEADER } from "../headers.js";
import { errorResponses, modelParams, predictRequest, predictResponse } from "../schemas.js";

type Params = { target: string; model?: string };

/** `digits:predict` → `digits` (or `2:predict` → `2`); the verb is part of the last path segment (Google API style). */
function modelOf(target: string): string | undefined {
  return target.endsWith(":predict") ? target.slice(0, -":predict".length) : undefined;
}

/** `POST /v1/models/{m}[/versions/{v}]:predict` — the simple instances → predictions API. */
export async function v1PredictRoutes(
  app: FastifyInstance,
  opts: { dataPlane: DataPlane; routingKeyHeader: string },
): Promise<void> {
  const { dataPlane, routingKeyHeader } = opts;
  const routingKey = (request: FastifyRequest) => headerValue(request.headers[routingKeyHeader]);
  const predict = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const head = modelOf(request.params.target);
    if (head === undefined) throw Errors.routeNotFound(request.method, request.url);
    // Unversioned: the segment is `model:predict`; versioned: `/models/m/versions/v:predict`.
    const { model } = request.params;
    const route =
      model === undefined
        ? dataPlane.route(head, undefined, routingKey(request))
        : dataPlane.route(model, head, undefined);
    const served = route.served;
    const timeout = parseTimeoutHeader(request.headers[TIMEOUT_HEADER]);
    const result = await dataPlane.infer(
      route,
      (target) => decodePredictRequest(request.body, target),
      timeout,
    );
    reply.header(MODEL_VERSION_HEADER, String(result.version));
    return encodePredictResponse(result, served.classifier);
  };
  // The router cannot split `name:verb` inside one segment, so the segment is parsed here.
  for (const url of ["/v1/models/:target", "/v1/models/:model/versions/:target"]) {
    app.post(url, {
      schema: { tags: ["inference"], summary: "Predict (instances → predictions)" },
      config: {
        docs: {
          params: modelParams,
          body: predictRequest,
          response: { 200: predictResponse, ...errorResponses },
        },
      },
      handler: predict,
    });
  }
}
