import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { DataPlane } from "../../core/data-plane.js";
import { Errors } from "../../errors.js";
import { describeIssues } from "../../protocol/v2-codec.js";
import { adminTokenCheck } from "../admin-token.js";
import { errorResponses } from "../schemas.js";

/** `{"ready": true}` keeps the ready versions; other fields are ignored, an empty body is `{}`. */
const indexBody = z.looseObject({ ready: z.boolean().optional() }).optional();

const entry = {
  type: "object",
  properties: {
    name: { type: "string" },
    version: { type: "string" },
    state: { type: "string", enum: ["READY", "LOADING", "UNAVAILABLE"] },
    reason: { type: "string" },
  },
} as const;

/**
 * The repository index of Triton and MLServer (`tritonclient`'s `get_model_repository_index`):
 * read-only. Loading and unloading follow the repository, the version policy and the track
 * pointer (or the admin API), so the extension's load/unload calls are not served. A failed
 * version's reason is its reason code, or the full load error with the admin token.
 */
export async function repositoryRoutes(
  app: FastifyInstance,
  opts: { dataPlane: DataPlane; adminToken: string | undefined },
): Promise<void> {
  const { dataPlane } = opts;
  // Load errors name buckets, keys and paths: the full text only with the admin token.
  const isAdmin = adminTokenCheck(opts.adminToken);
  // In this plugin's scope only: an empty JSON body means `{}`, as Triton takes it (curl -X POST).
  const json = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") done(null, undefined);
    else json(request, body as string, done);
  });
  app.post(
    "/v2/repository/index",
    {
      schema: {
        tags: ["repository"],
        summary: "Every model version and its state (READY, LOADING, UNAVAILABLE with the reason)",
        response: { 200: { type: "array", items: entry }, 400: errorResponses[400] },
      },
    },
    async (request) => {
      const body = indexBody.safeParse(request.body ?? undefined);
      if (!body.success) throw Errors.invalidRequest(describeIssues(body.error));
      return dataPlane.repositoryIndex(body.data?.ready === true, isAdmin(request));
    },
  );
}
