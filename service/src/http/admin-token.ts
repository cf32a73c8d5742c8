import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { headerValue } from "./headers.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Whether a request presents the admin bearer token. Compared in constant time over digests of
 * equal length, so neither the token's content nor its length leaks through timing. Without a
 * configured token nobody is an admin over HTTP.
 */
export function adminTokenCheck(adminToken: string | undefined): (request: FastifyRequest) => boolean {
  if (!adminToken) return () => false;
  const expected = digest(adminToken);
  return (request) => {
    const auth = headerValue(request.headers.authorization) ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    return timingSafeEqual(digest(token), expected);
  };
}
