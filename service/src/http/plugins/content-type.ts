import type { FastifyInstance, FastifyRequest } from "fastify";
import { Errors } from "../../errors.js";
import { HEADER_LENGTH_HEADER, parseBinaryBody } from "../binary-body.js";

type Done = (err: Error | null, body?: unknown) => void;

type JsonParser = (request: FastifyRequest, text: string, done: Done) => void;

/** The JSON route's parser as a function of the text: its errors (bad JSON, poisoned keys) thrown. */
function jsonOf(request: FastifyRequest, parser: JsonParser): (text: string) => unknown {
  return (text) => {
    let result: { err: Error | null; value?: unknown } = { err: null };
    parser(request, text, (err, value) => {
      result = { err, value };
    });
    if (result.err) throw result.err;
    return result.value;
  };
}

function binary(request: FastifyRequest, body: Buffer, parser: JsonParser, done: Done): void {
  try {
    done(null, parseBinaryBody(request, body, jsonOf(request, parser)));
  } catch (err) {
    done(err as Error, undefined);
  }
}

/**
 * JSON bodies, and on the V2 infer routes bodies of the binary tensor data extension
 * (binary-body.ts). Clients that omit Content-Type (several V2 clients do) are read as JSON, or
 * as a binary body when they send its Inference-Header-Content-Length header (tritonclient);
 * any other explicit type gets a 415 rather than a confusing parse error.
 */
export function installContentTypes(app: FastifyInstance): void {
  const jsonParser = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("text/plain"); // Fastify's built-in; a text body is never a valid request here
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer" }, (request, body, done) => {
    if (request.routeOptions.config.binaryTensors === true) binary(request, body as Buffer, jsonParser, done);
    else done(Errors.unsupportedMediaType("application/octet-stream"), undefined);
  });
  app.addContentTypeParser("*", { parseAs: "buffer" }, (request, body, done) => {
    const type = request.headers["content-type"];
    if (type !== undefined && type !== "") {
      done(Errors.unsupportedMediaType(type), undefined);
      return;
    }
    if (
      request.routeOptions.config.binaryTensors === true &&
      request.headers[HEADER_LENGTH_HEADER] !== undefined
    ) {
      binary(request, body as Buffer, jsonParser, done);
      return;
    }
    jsonParser(request, (body as Buffer).toString("utf8"), done);
  });
}
