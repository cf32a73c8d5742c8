/** Which version answered: set on every prediction response (canary routing makes it vary). */
export const MODEL_VERSION_HEADER = "x-model-version";

/** Content type of bodies the server writes as JSON text itself (Fastify then sends them as they are). */
export const JSON_UTF8 = "application/json; charset=utf-8";

/** A header's single value (the first, when a client repeats it). */
export function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}
