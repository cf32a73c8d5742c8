/** Which version answered: set on every prediction response (canary routing makes it vary). */
export const MODEL_VERSION_HEADER = "x-model-version";

/** A header's single value (the first, when a client repeats it). */
export function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}
