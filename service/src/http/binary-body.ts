import type { FastifyRequest } from "fastify";
import { Errors } from "../errors.js";
import { headerValue } from "./headers.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Accepts bodies of the binary tensor data extension (V2 infer routes only). */
    binaryTensors?: boolean;
  }
}

/** Size in bytes of the JSON header that starts a binary tensor data body. */
export const HEADER_LENGTH_HEADER = "inference-header-content-length";

/** A request body of the binary tensor data extension: the parsed JSON header and the bytes after it. */
export class BinaryBody {
  constructor(
    readonly json: unknown,
    readonly binary: Uint8Array,
  ) {}
}

/**
 * Splits a binary tensor data body at Inference-Header-Content-Length (a header, so a client
 * can send it with any of the content types the extension's clients use: tritonclient sends
 * none, the kserve client application/octet-stream).
 */
export function parseBinaryBody(
  request: FastifyRequest,
  body: Buffer,
  /** The JSON route's parser (Fastify's, which refuses `__proto__` and `constructor` keys). */
  parseJson: (text: string) => unknown,
): BinaryBody {
  const raw = headerValue(request.headers[HEADER_LENGTH_HEADER]);
  const length = raw !== undefined && /^\d{1,12}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(length <= body.length)) {
    throw Errors.invalidRequest(
      raw === undefined
        ? "a binary body needs the Inference-Header-Content-Length header (binary tensor data extension)"
        : `Inference-Header-Content-Length: "${raw}" is not a byte count within the ${body.length}-byte body`,
    );
  }
  return new BinaryBody(parseJson(body.toString("utf8", 0, length)), body.subarray(length));
}
