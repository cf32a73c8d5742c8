import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "../support/data.js";
import { startService } from "../support/service.js";
import { runClientScript, v2ClientsPython } from "../support/v2-clients.js";

/**
 * Open Inference Protocol (KServe V2) REST conformance, against a definition installed from a
 * registry: the JSON schemas of the pinned `kserve` package's V2 data models (the pydantic models
 * KServe's own server parses and answers with; service/test/clients/oip_schemas.py prints them).
 * Every path of the protocol's REST API, versioned and unversioned, is called; its answer must
 * validate, and so must the request the test sends.
 */
type Schemas = { kserve: string; schemas: Record<string, object> };

/** The protocol's REST paths (the OIP REST spec's `paths`), with the data model each answers with. */
const PATHS = [
  { method: "GET", path: "/v2/health/live", answer: "ServerLiveResponse" },
  { method: "GET", path: "/v2/health/ready", answer: "ServerReadyResponse" },
  { method: "GET", path: "/v2", answer: "ServerMetadataResponse" },
  { method: "GET", path: "/v2/", answer: "ServerMetadataResponse" },
  { method: "GET", path: "/v2/models/digits", answer: "ModelMetadataResponse" },
  { method: "GET", path: "/v2/models/digits/versions/2", answer: "ModelMetadataResponse" },
  { method: "GET", path: "/v2/models/digits/ready", answer: "ModelReadyResponse" },
  { method: "GET", path: "/v2/models/digits/versions/2/ready", answer: "ModelReadyResponse" },
  {
    method: "POST",
    path: "/v2/models/digits/infer",
    answer: "InferenceResponse",
    request: "InferenceRequest",
  },
  {
    method: "POST",
    path: "/v2/models/digits/versions/2/infer",
    answer: "InferenceResponse",
    request: "InferenceRequest",
  },
] as const;

/** The spec's error answer (`{"error": string}`); KServe's models have none, so it is written here. */
const ERROR_SCHEMA = {
  type: "object",
  properties: { error: { type: "string", minLength: 1 } },
  required: ["error"],
  additionalProperties: false,
};

describe("Open Inference Protocol conformance (KServe's V2 data models)", () => {
  let svc: Awaited<ReturnType<typeof startService>>;
  let oip: Schemas;
  const validators = new Map<string, ValidateFunction>();
  const validator = (name: string) => {
    const v = validators.get(name);
    if (!v) throw new Error(`no schema for ${name}`);
    return v;
  };

  beforeAll(async () => {
    oip = runClientScript(v2ClientsPython(), "oip_schemas.py", []) as Schemas;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    for (const [name, schema] of Object.entries(oip.schemas)) validators.set(name, ajv.compile(schema));
    validators.set("Error", ajv.compile(ERROR_SCHEMA));
    svc = await startService();
  }, 600_000);
  afterAll(async () => {
    await svc.close();
  });

  it("has a schema for every data model the paths answer with", () => {
    expect(oip.kserve).toMatch(/^\d+\.\d+\.\d+$/);
    for (const p of PATHS) {
      expect(oip.schemas).toHaveProperty(p.answer);
      if ("request" in p) expect(oip.schemas).toHaveProperty(p.request);
    }
  });

  it("the schemas are strict enough to reject a wrong answer", () => {
    expect(validator("ServerLiveResponse")({ live: "yes" })).toBe(false);
    expect(validator("InferenceResponse")({ model_name: "digits", outputs: [{ name: "label" }] })).toBe(
      false,
    );
    expect(validator("ModelMetadataResponse")({ name: "digits", inputs: [], outputs: [] })).toBe(false); // no platform
  });

  it.each(PATHS.map((p) => [`${p.method} ${p.path}`, p] as const))(
    "%s answers as the protocol says",
    async (_n, p) => {
      let payload: object | undefined;
      if ("request" in p) {
        payload = inferBody(validationRows().slice(0, 3), { id: "conf-1", outputs: [{ name: "label" }] });
        const validRequest = validator(p.request);
        expect(validRequest(payload), JSON.stringify(validRequest.errors)).toBe(true);
      }
      const res = await svc.app.inject({ method: p.method, url: p.path, ...(payload ? { payload } : {}) });
      expect(res.statusCode).toBe(200);
      const validAnswer = validator(p.answer);
      expect(validAnswer(res.json()), JSON.stringify(validAnswer.errors)).toBe(true);
      if (payload)
        expect(res.json()).toMatchObject({ id: "conf-1", outputs: [{ name: "label", shape: [3] }] });
    },
  );

  it("error answers are the protocol's {error: string}", async () => {
    const res = await svc.app.inject({
      method: "POST",
      url: "/v2/models/digits/versions/2/infer",
      payload: { inputs: [] },
    });
    expect(res.statusCode).toBe(400);
    expect(validator("Error")(res.json())).toBe(true);
    const missing = await svc.app.inject("/v2/models/none");
    expect(missing.statusCode).toBe(404);
    expect(validator("Error")(missing.json())).toBe(true);
  });
});
