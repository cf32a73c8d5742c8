import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePredictRequest } from "../../src/protocol/v1-codec.js";
import { decodeOutcome, expectDecodedAs } from "./support/decode-oracle.js";
import { CLASSES, startFuzzedService } from "./support/digits.js";
import { expectCatalogued, send } from "./support/http.js";
import { decoderProperty, expectStillServing, routeProperty } from "./support/properties.js";
import { PROPERTY_TIMEOUT_MS } from "./support/settings.js";
import { isValidV1, typedV1Body, typedV1Case, v1Target } from "./support/typed-v1.js";
import { buildV1Request, type V1Spec, v1Case } from "./support/v1-cases.js";

/**
 * Issue #21: generated requests to the V1 predict route (`instances`), valid rows of the digits
 * model and mutations of them, through the whole route in-process (inject). Every answer is a 200
 * or a catalogued 4xx; every valid request a 200 with one prediction per row (the digits model
 * has labels, so each is {label, score, probabilities}). Then decodePredictRequest directly over
 * single-input models of every datatype and the models V1 cannot serve.
 */
// 12,000 generated requests for this decoder (issue #21 asks ≥ 10,000): most through the whole
// route, the rest straight into the decoder, which is what keeps the file within ~30 s on 2 cores.
const ROUTE_RUNS = 8_000;
const DECODER_RUNS = 4_000;
const LABELS = Array.from({ length: CLASSES }, (_, i) => String(i));

type Svc = Awaited<ReturnType<typeof startFuzzedService>>;
type Prediction = { label: unknown; score: unknown; probabilities: Record<string, unknown> };

function expectPredictions(body: string, spec: V1Spec): void {
  const answer = JSON.parse(body) as { predictions: Prediction[]; model_version: string };
  if (spec.version !== undefined) expect(answer.model_version).toBe(String(spec.version));
  expect(answer.predictions).toHaveLength(spec.rows);
  for (const p of answer.predictions) {
    expect(LABELS).toContain(p.label);
    // NaN (extreme inputs) travels as null in JSON; anything else is a probability.
    expect(p.score === null || typeof p.score === "number").toBe(true);
    expect(Object.keys(p.probabilities)).toEqual(LABELS);
  }
}

describe("fuzz: V1 predict route", () => {
  let svc: Svc;
  beforeAll(async () => {
    svc = await startFuzzedService();
  });
  afterAll(async () => {
    await svc?.close();
  });

  it(
    `answers ${ROUTE_RUNS} valid and mutated requests with 200 or a catalogued 4xx`,
    async () => {
      await routeProperty({
        label: "V1 predict route",
        cases: v1Case,
        runs: ROUTE_RUNS,
        ok: 200,
        mutatedAnswers: ["200", "400", "404", "413", "415"],
        minChecks: 20,
        send: async (c) => {
          const res = await send(svc.app, buildV1Request(c));
          const { status, message } = expectCatalogued(res);
          if (c.mutations === undefined) {
            expect(status, res.body.slice(0, 300)).toBe(200);
            expectPredictions(res.body, c.spec);
          } else if (status === 200) expect(JSON.parse(res.body).predictions).toBeInstanceOf(Array);
          return { valid: c.mutations === undefined, answer: status, message };
        },
      });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    `decodes ${DECODER_RUNS} requests of every datatype exactly, or refuses them with a catalogued 4xx`,
    () => {
      decoderProperty({
        label: "V1 decoder",
        cases: typedV1Case,
        runs: DECODER_RUNS,
        decode: (c) => {
          const target = v1Target(c.tensor.datatype, c.model);
          const outcome = decodeOutcome(() => decodePredictRequest(typedV1Body(c), target));
          if (isValidV1(c)) expectDecodedAs(outcome, [c.tensor]);
          else if (c.model !== "one input") expect("refused" in outcome, `a ${c.model} model`).toBe(true);
          return { valid: isValidV1(c), outcome };
        },
      });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it("still answers a known-good request afterwards", async () => {
    const res = await send(svc.app, {
      url: "/v1/models/digits:predict",
      headers: { "content-type": "application/json" },
      payload: Buffer.from(JSON.stringify({ instances: [new Array(64).fill(0)] })),
    });
    expect(res.statusCode).toBe(200);
    await expectStillServing(svc);
  });
});
