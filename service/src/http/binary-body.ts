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

/**
 * A request body of the binary tensor data extension: the parsed JSON header and the bytes after
 * it. The bytes belong to this request alone (Fastify's buffer parser concatenates the chunks into
 * a new Buffer: a small one is a slice of Node's shared pool, a range no other Buffer is given),
 * and nothing writes them after the split, so the decoder may keep views of them as tensor stores
 * (protocol/binary-tensor.ts).
 */
export class BinaryBody {
  constructor(
    readonly json: unknown,
    readonly binary: Uint8Array,
  ) {}
}

/** Every fixed-size datatype's element divides 8: data starting at a multiple of 8 is aligned for all. */
const ALIGN = 8;

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
  const json = parseJson(body.toString("utf8", 0, length));
  // The header is read: move the data back over its last bytes to an aligned address, so the
  // first input (and every one whose predecessors fill whole elements) is viewed, not copied.
  const shift = (body.byteOffset + length) % ALIGN;
  if (shift === 0 || shift > length) return new BinaryBody(json, body.subarray(length));
  body.copyWithin(length - shift, length);
  return new BinaryBody(json, body.subarray(length - shift, body.length - shift));
}
