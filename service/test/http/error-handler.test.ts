import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Errors, type InfergateError } from "../../src/errors.js";
import { installErrorHandler } from "../../src/http/error-handler.js";
import { installContentTypes } from "../../src/http/plugins/content-type.js";
import { errorHeaders, HTTP_STATUS } from "../../src/http/status.js";
import { createLogger } from "../../src/process/logger.js";

const BODY_LIMIT = 256;
type Name = keyof typeof Errors;
const names = Object.keys(Errors) as Name[];

/**
 * Every catalogue message only interpolates its arguments, so one generic argument list builds
 * each of them (the catalogue's own test checks the messages with typed samples).
 */
function build(name: Name): InfergateError {
  return (Errors[name] as (...args: unknown[]) => InfergateError)("digits", 2, ["input"]);
}

type LogLine = { level: string; msg: string; code?: string; err?: { message: string; stack: string } };

/** The handler wired as buildApp wires it: same Fastify options, handler, then content types. */
async function testApp(logs: LogLine[]): Promise<FastifyInstance> {
  const logger = createLogger({ logLevel: "info" }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    logController: new LogController({ disableRequestLogging: true }),
  });
  installErrorHandler(app, BODY_LIMIT);
  installContentTypes(app);
  // Routes live in a child plugin, as the real ones do, so they inherit the root's handler.
  await app.register(async (routes) => {
    routes.get<{ Params: { name: Name } }>("/catalogue/:name", async (request) => {
      throw build(request.params.name);
    });
    routes.get("/plain", async () => {
      throw new Error("secret: db password is hunter2");
    });
    routes.get("/failed-inference", async () => {
      throw Object.assign(Errors.inferenceFailed("digits", 2), { cause: new Error("ORT: bad alloc") });
    });
    routes.get("/teapot", async () => {
      throw Object.assign(new Error("short and stout"), { statusCode: 418, code: "TEAPOT" });
    });
    routes.get("/upstream-503", async () => {
      throw Object.assign(new Error("upstream detail"), { statusCode: 503 });
    });
    routes.get("/reject-undefined", () => Promise.reject(undefined));
    routes.get("/own-syntax-error", async () => JSON.parse("{corrupt state file"));
    routes.post("/echo", async (request) => ({ got: request.body }));
    routes.post(
      "/validated",
      {
        schema: {
          body: { type: "object", required: ["instances"], properties: { instances: { type: "array" } } },
        },
      },
      async () => ({ ok: true }),
    );
  });
  await app.ready();
  return app;
}

describe("the HTTP error handler", () => {
  const logs: LogLine[] = [];
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(logs);
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    logs.length = 0;
  });

  it.each(names)("answers a thrown Errors.%s with its status and {error: message}", async (name) => {
    const expected = build(name);
    const res = await app.inject({ method: "GET", url: `/catalogue/${name}` });
    expect(res.statusCode).toBe(HTTP_STATUS[expected.kind]);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.json()).toEqual({ error: expected.message });
    for (const [header, value] of Object.entries(errorHeaders(expected) ?? {}))
      expect(res.headers[header]).toBe(value);
    // Only our faults are logged as errors, with the catalogue code.
    const errors = logs.filter((l) => l.level === "error");
    expect(errors.map((l) => [l.code, l.msg])).toEqual(
      HTTP_STATUS[expected.kind] >= 500 ? [[expected.code, expected.message]] : [],
    );
  });

  it("answers a full queue with 503 and Retry-After: 1", async () => {
    const res = await app.inject({ method: "GET", url: "/catalogue/queueFull" });
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("1");
    expect(res.json()).toEqual({ error: 'model "digits" version 2 is at capacity; retry later' });
  });

  it("answers a missing token with 401 and a Bearer challenge", async () => {
    const res = await app.inject({ method: "GET", url: "/catalogue/unauthorized" });
    expect(res.statusCode).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="infergate-admin"');
    expect(res.headers["retry-after"]).toBeUndefined();
    expect(res.json()).toEqual({ error: "missing or wrong bearer token" });
  });

  it("turns a plain Error into a 500 that leaks neither message nor stack, and logs it", async () => {
    const res = await app.inject({ method: "GET", url: "/plain" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: "internal server error" });
    expect(res.body).not.toContain("hunter2");
    expect(res.body).not.toContain("error-handler.test");
    const [line] = logs.filter((l) => l.level === "error");
    expect(line?.code).toBe("INTERNAL");
    expect(line?.msg).toBe("internal server error");
    expect(line?.err?.message).toBe("secret: db password is hunter2");
    expect(line?.err?.stack).toContain("error-handler.test.ts");
  });

  it("logs the cause of a 5xx catalogue error, and answers only the catalogue message", async () => {
    const res = await app.inject({ method: "GET", url: "/failed-inference" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'inference failed for "digits" version 2' });
    const [line] = logs.filter((l) => l.level === "error");
    expect([line?.code, line?.err?.message]).toEqual(["INFERENCE_FAILED", "ORT: bad alloc"]);
  });

  it("answers a rejection with no error object as a 500 {error}", async () => {
    const res = await app.inject({ method: "GET", url: "/reject-undefined" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: "internal server error" });
  });

  it("answers a SyntaxError of the service's own code as a 500, not as the caller's bad JSON", async () => {
    const res = await app.inject({ method: "GET", url: "/own-syntax-error" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: "internal server error" });
    expect(logs.filter((l) => l.level === "error")[0]?.err?.message).toContain("JSON");
  });

  it("passes a foreign error's 4xx status and message through", async () => {
    const res = await app.inject({ method: "GET", url: "/teapot" });
    expect(res.statusCode).toBe(418);
    expect(res.json()).toEqual({ error: "short and stout" });
  });

  it("does not pass a foreign error's 5xx status or message through", async () => {
    const res = await app.inject({ method: "GET", url: "/upstream-503" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: "internal server error" });
    expect(res.headers["retry-after"]).toBeUndefined();
  });

  it("answers unknown routes with 404 naming the method and path (without the query)", async () => {
    const res = await app.inject({ method: "DELETE", url: "/v2/models/nope?token=abc" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: "no route DELETE /v2/models/nope" });
  });

  describe("Fastify's own failures", () => {
    const post = (payload: string, headers: Record<string, string> = {}) =>
      app.inject({ method: "POST", url: "/echo", payload, headers });

    it("reads a well-formed JSON body (with or without a content type)", async () => {
      for (const headers of [{ "content-type": "application/json" }, {}] as Record<string, string>[]) {
        const res = await post('{"instances":[1]}', headers);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ got: { instances: [1] } });
      }
    });

    it("answers a malformed JSON body with 400 INVALID_JSON as {error}", async () => {
      const res = await post('{"instances": [1,', { "content-type": "application/json" });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error:
          "request body is not valid JSON: Body is not valid JSON but content-type is set to 'application/json'",
      });
    });

    it("answers malformed JSON sent without a content type the same way", async () => {
      const res = await post("instances=1");
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatch(/^request body is not valid JSON: /);
    });

    it("answers an empty JSON body with 400", async () => {
      const res = await post("", { "content-type": "application/json" });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: "request body is empty; send a JSON object" });
    });

    it.each(["text/plain", "application/xml", "multipart/form-data; boundary=x"])(
      "answers content type %s with 415 naming it",
      async (type) => {
        const res = await post("{}", { "content-type": type });
        expect(res.statusCode).toBe(415);
        expect(res.json()).toEqual({
          error: `content type "${type}" is not supported; send application/json`,
        });
      },
    );

    it("answers an unparseable content type with 415 as {error}", async () => {
      const res = await post("{}", { "content-type": "not a media type" });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toEqual({
        error: 'content type "not a media type" is not supported; send application/json',
      });
    });

    it("answers a body over the limit with 413 naming the limit", async () => {
      const res = await post(JSON.stringify({ instances: "x".repeat(BODY_LIMIT) }), {
        "content-type": "application/json",
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({ error: `request body exceeds the limit of ${BODY_LIMIT} bytes` });
    });

    it("accepts a body of exactly the limit", async () => {
      const payload = JSON.stringify({ a: "x".repeat(BODY_LIMIT - 8) });
      expect(Buffer.byteLength(payload)).toBe(BODY_LIMIT);
      const res = await post(payload, { "content-type": "application/json" });
      expect(res.statusCode).toBe(200);
    });

    it("answers a schema validation failure with 400 INVALID_REQUEST naming the field", async () => {
      const res = await app.inject({ method: "POST", url: "/validated", payload: { rows: [] } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: "body must have required property 'instances'" });
    });
  });
});
