import type { FastifyInstance, FastifyRequest } from "fastify";
import { type DataPlane, TIMEOUT_HEADER } from "../../core/data-plane.js";
import { Errors } from "../../errors.js";
import { decodePredictRequest, encodePredictResponse } from "../../protocol/v1-codec.js";
import { errorResponses, modelParams, predictRequest, predictResponse } from "../schemas.js";

type Params = { target: string; model?: string };

/** `digits:predict` → `digits` (or `2:predict` → `2`); the verb is part of the last path segment (Google API style). */
function modelOf(target: string): string | undefined {
  return target.endsWith(":predict") ? target.slice(0, -":predict".length) : undefined;
}

/** `POST /v1/models/{m}[/versions/{v}]:predict` — the simple instances → predictions API. */
export async function v1PredictRoutes(app: FastifyInstance, opts: { dataPlane: DataPlane }): Promise<void> {
  const { dataPlane } = opts;
  const predict = async (request: FastifyRequest<{ Params: Params }>) => {
    const head = modelOf(request.params.target);
    if (head === undefined) throw Errors.routeNotFound(request.method, request.url);
    // Unversioned: the segment is `model:predict`; versioned: `/models/m/versions/v:predict`.
    const { model } = request.params;
    const served = model === undefined ? dataPlane.resolve(head, undefined) : dataPlane.resolve(model, head);
    const timeout = dataPlane.parseTimeout(request.headers[TIMEOUT_HEADER]);
    const result = await dataPlane.infer(served, () => decodePredictRequest(request.body, served), timeout);
    return encodePredictResponse(result, served);
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
