import type { IncomingHttpHeaders } from "node:http";
import type { FastifyError, FastifyInstance } from "fastify";
import { Errors, InfergateError } from "../errors.js";
import { drain } from "./plugins/admission.js";
import { errorHeaders, HTTP_STATUS } from "./status.js";

/** A failure as it leaves: status, `{"error": message}`, and the code logged with a 5xx. */
type Failure = {
  status: number;
  message: string;
  code: string;
  headers?: Record<string, string> | undefined;
};

const fromCatalogue = (err: InfergateError): Failure => ({
  status: HTTP_STATUS[err.kind],
  message: err.message,
  code: err.code,
  headers: errorHeaders(err),
});

/**
 * Fastify's own failures (body parsing, limits) mapped into the service's catalogue. Anything
 * else that is not the catalogue's (a bug, a library's error) is a 500 unless it carries a 4xx.
 */
function fromFastify(
  err: FastifyError,
  bodyLimit: number,
  headers: IncomingHttpHeaders,
): InfergateError | Failure {
  switch (err.code) {
    case Errors.invalidCompressedBody.code:
      // zlib's error, tagged by the compression plugin: its message is zlib's own detail.
      return Errors.invalidCompressedBody(String(headers["content-encoding"]), err.message);
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return Errors.bodyTooLarge(bodyLimit);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      // Fastify's message does not name the type (e.g. for an unparseable header): the request does.
      return Errors.unsupportedMediaType(headers["content-type"] ?? "");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return Errors.invalidRequest("request body is empty; send a JSON object");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return Errors.invalidJson(err.message);
  }
  // Body parser failures only: a SyntaxError thrown by the service's own code is a 500, not the caller's fault.
  if (err.code?.startsWith("FST_ERR_CTP")) return Errors.invalidJson(err.message);
  if (err.validation) return Errors.invalidRequest(err.message);
  // A plugin's own 4xx goes out as it is: it is the plugin's answer to the request.
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return { status: err.statusCode, message: err.message, code: err.code ?? "BAD_REQUEST" };
  return Errors.internal();
}

/**
 * The single error handler: every failure leaves as `{"error": "..."}` with the catalogue's
 * status. 5xx details go to the log (with the request id), never to the caller.
 */
export function installErrorHandler(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    // A rejection with a non-object (`throw null`, `Promise.reject(undefined)`) has no fields to map.
    const found =
      err instanceof InfergateError
        ? err
        : typeof err === "object" && err !== null
          ? fromFastify(err, bodyLimit, request.headers)
          : Errors.internal();
    const failure = found instanceof InfergateError ? fromCatalogue(found) : found;
    if (failure.status >= 500) {
      request.log.error(
        { err: (err as Error | null | undefined)?.cause ?? err, code: failure.code },
        failure.message,
      );
    }
    if (failure.headers) reply.headers(failure.headers);
    // A body refused mid-stream (over the limit): read the rest first, so a client that writes
    // its whole body before reading gets the 413 instead of a broken pipe (plugins/admission.ts).
    if (failure.status === 413 && !request.raw.complete)
      return drain(request).then(() => reply.code(failure.status).send({ error: failure.message }));
    return reply.code(failure.status).send({ error: failure.message });
  });
  app.setNotFoundHandler((request, reply) => {
    const e = Errors.routeNotFound(request.method, request.url.split("?")[0] ?? request.url);
    return reply.code(HTTP_STATUS[e.kind]).send({ error: e.message });
  });
}
