import compress from "@fastify/compress";
import type { FastifyInstance } from "fastify";
import { Errors } from "../../errors.js";

/**
 * What Triton's HTTP endpoint accepts and tritonclient sends for `request_compression_algorithm`
 * and `response_compression_algorithm` (also curl's `--compressed`, Prometheus' scrapes).
 * Brotli and zstd are left out: no V2 client sends them, and brotli costs far more CPU per byte.
 */
const CONTENT_ENCODINGS = ["gzip", "deflate"] as const;

/**
 * Responses worth compressing: V2 JSON, binary tensor data, the metrics text. Small bodies
 * (below 1 KiB, e.g. a single-row prediction) go out as they are: compressing them costs more
 * CPU than it saves bytes.
 */
const COMPRESSIBLE = /^(application\/(json|octet-stream)|text\/plain)\b/;

/**
 * Request bodies sent with `Content-Encoding: gzip|deflate` are inflated before parsing (the
 * body limit applies to the inflated bytes); responses are compressed when the client's
 * Accept-Encoding asks for it. Both as in Triton. Registered before the routes, which it wraps.
 */
export async function installCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    global: true,
    encodings: [...CONTENT_ENCODINGS],
    requestEncodings: [...CONTENT_ENCODINGS, "identity"],
    customTypes: COMPRESSIBLE,
    threshold: 1024,
    onUnsupportedRequestEncoding: (encoding) =>
      Errors.unsupportedContentEncoding(encoding, CONTENT_ENCODINGS.join(", ")),
    // The plugin copies this error's code and status onto zlib's error, but not its message
    // (not enumerable): the error handler rebuilds the message from the code (error-handler.ts).
    onInvalidRequestPayload: (encoding, _request, error) =>
      Errors.invalidCompressedBody(encoding, error.message),
  });
}
