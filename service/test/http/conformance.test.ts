import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { inferBody, validationRows } from "../support/data.js";
import { SHARED } from "../support/paths.js";
import { startService } from "../support/service.js";

type Spec = {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }>;
        requestBody?: { content: Record<string, { schema: { $ref: string } }> };
      }
    >
  >;
  components: { schemas: Record<string, unknown> };
};

// The Open Inference Protocol REST spec, read in place from ../shared (never copied).
const spec = parse(readFileSync(`${SHARED}/specs/open_inference_rest.yaml`, "utf8")) as Spec;
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema({ $id: "oip", components: spec.components });
const validatorFor = (ref: string) => {
  const v = ajv.getSchema(`oip${ref}`);
  if (!v) throw new Error(`no schema ${ref}`);
  return v;
};

const concrete = (path: string, version?: string) => {
  const p = path.replace("${MODEL_NAME}", "digits");
  return version === undefined
    ? p.replace("/versions/${MODEL_VERSION}", "")
    : p.replace("${MODEL_VERSION}", version);
};

const operations = Object.entries(spec.paths).flatMap(([path, ops]) =>
  Object.entries(ops)
    .filter(([method]) => ["get", "post"].includes(method))
    .flatMap(([method, op]) => {
      const forms = path.includes("${MODEL_VERSION}")
        ? [concrete(path, "2"), concrete(path)]
        : [concrete(path)];
      return forms.map((url) => ({ path, method, url, op }));
    }),
);

describe("Open Inference Protocol conformance (every path of the spec)", () => {
  let svc: Awaited<ReturnType<typeof startService>>;
  beforeAll(async () => {
    svc = await startService();
  });
  afterAll(async () => {
    await svc.close();
  });

  it("covers every path in the spec, versioned and unversioned", () => {
    expect(new Set(operations.map((o) => o.path)).size).toBe(Object.keys(spec.paths).length);
    expect(operations.length).toBeGreaterThanOrEqual(9);
  });

  it.each(operations.map((o) => [`${o.method.toUpperCase()} ${o.url}`, o] as const))(
    "%s answers as the spec says",
    async (_name, o) => {
      let payload: unknown;
      const requestRef = o.op.requestBody?.content["application/json"]?.schema.$ref;
      if (requestRef) {
        payload = inferBody(validationRows().slice(0, 3), { id: "conf-1", outputs: [{ name: "label" }] });
        const validRequest = validatorFor(requestRef);
        expect(validRequest(payload), JSON.stringify(validRequest.errors)).toBe(true);
      }
      const res = await svc.app.inject({
        method: o.method.toUpperCase() as "GET" | "POST",
        url: o.url,
        payload: payload as object,
      });
      expect(res.statusCode).toBe(200);
      const responseRef = o.op.responses["200"]?.content?.["application/json"]?.schema.$ref;
      if (responseRef) {
        const validResponse = validatorFor(responseRef);
        expect(validResponse(res.json()), JSON.stringify(validResponse.errors)).toBe(true);
      }
      if (requestRef)
        expect(res.json()).toMatchObject({ id: "conf-1", outputs: [{ name: "label", shape: [3] }] });
    },
  );

  it("error bodies match the spec's error schemas", async () => {
    const validError = validatorFor("#/components/schemas/inference_error_response");
    const res = await svc.app.inject({
      method: "POST",
      url: "/v2/models/digits/versions/2/infer",
      payload: { inputs: [] },
    });
    expect(res.statusCode).toBe(400);
    expect(validError(res.json())).toBe(true);
    const validMetaError = validatorFor("#/components/schemas/metadata_model_error_response");
    expect(validMetaError((await svc.app.inject("/v2/models/none")).json())).toBe(true);
  });
});
