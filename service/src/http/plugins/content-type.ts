import type { FastifyInstance } from "fastify";
import { Errors } from "../../errors.js";

/**
 * JSON bodies only. Clients that omit Content-Type (several V2 clients do) are read as JSON;
 * an explicit non-JSON type gets a 415 rather than a confusing parse error.
 */
export function installContentTypes(app: FastifyInstance): void {
  const jsonParser = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("text/plain"); // Fastify's built-in; a text body is never a valid request here
  app.addContentTypeParser("*", { parseAs: "string" }, (request, body, done) => {
    const type = request.headers["content-type"];
    if (type !== undefined && type !== "") {
      done(Errors.unsupportedMediaType(type), undefined);
      return;
    }
    jsonParser(request, body as string, done);
  });
}
