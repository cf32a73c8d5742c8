import { Readable } from "node:stream";
import type { FastifyInstance, LightMyRequestResponse as Response } from "fastify";
import { expect } from "vitest";
import { HTTP_STATUS } from "../../../src/http/status.js";

/** A generated HTTP request, ready for inject. */
export type HttpRequest = { url: string; headers: Record<string, string | string[]>; payload: Buffer };

/**
 * inject()'s request object as Node's own IncomingMessage is in one respect that matters here:
 * `complete` turns true once the body has been read. Fastify's inject leaves it undefined, and
 * the admission plugin's lingering close (http/plugins/admission.ts) then waits its full 5 s
 * bound for a body that has already ended before it sends a 413; on a real socket the answer
 * comes at once. Without this every over-limit case would look like a hang.
 */
class InjectedRequest extends Readable {
  get complete(): boolean {
    return this.readableEnded;
  }
}

export function send(app: FastifyInstance, req: HttpRequest): Promise<Response> {
  return app.inject({ method: "POST", ...req, Request: InjectedRequest });
}

/**
 * What every HTTP answer to a generated request must be (issue #21): a 2xx, or a 4xx of the
 * error catalogue's (http/status.ts; `internal` is the one kind user input must never reach)
 * with the body `{"error": "<non-empty message>"}` and nothing else. 503 and 504 are the
 * catalogue's too, but they mean "busy" and "too late": one client sending one request at a time
 * with timeouts of seconds can meet neither, so here they are failures like a 500.
 */
export const CATALOGUED_4XX: ReadonlySet<number> = new Set(
  Object.values(HTTP_STATUS).filter((s) => s >= 400 && s < 500),
);

/** Checks the answer against the catalogue; returns its status and error message (for the tally). */
export function expectCatalogued(res: Response): { status: number; message?: string } {
  const status = res.statusCode;
  if (status >= 200 && status < 300) return { status };
  expect(
    CATALOGUED_4XX.has(status),
    `status ${status} is not a catalogued 4xx: ${res.body.slice(0, 300)}`,
  ).toBe(true);
  expect(String(res.headers["content-type"])).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(typeof body.error).toBe("string");
  expect((body.error as string).length).toBeGreaterThan(0);
  return { status, message: body.error as string };
}
