import { describe, expect, it } from "vitest";
import { fromTensorValues } from "../../src/protocol/tensor-data.js";
import {
  decodeInferRequest,
  encodeInferResponse,
  type InferenceResult,
  plainEnvelope,
  requestSchema,
} from "../../src/protocol/v2-codec.js";
import { DATATYPE_INFO, type Datatype } from "../../src/runtime/datatypes.js";

describe("V2 codec", () => {
  it("decodes the spec's example request, ignoring unknown parameters", () => {
    const req = decodeInferRequest({
      id: "42",
      parameters: { unknown_knob: 1 },
      inputs: [
        {
          name: "input0",
          shape: [2, 2],
          datatype: "UINT32",
          data: [1, 2, 3, 4],
          parameters: { binary_data: false },
        },
        { name: "input1", shape: [3], datatype: "BOOL", data: [true, false, true] },
      ],
      outputs: [{ name: "output0", parameters: { binary_data: false } }],
    });
    expect(req.id).toBe("42");
    expect(req.outputs).toEqual(["output0"]);
    expect(req.inputs.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ["input0", "UINT32", [2, 2]],
      ["input1", "BOOL", [3]],
    ]);
    expect(Array.from(req.inputs[0]?.values as Uint32Array)).toEqual([1, 2, 3, 4]);
  });

  it.each([
    [{}, /inputs: /],
    [{ inputs: [] }, /inputs: .*at least 1|inputs: Too small/],
    [{ inputs: [{ name: "a", shape: [1], datatype: "FP32" }] }, /inputs\[0\]\.data/],
    [{ inputs: [{ name: "a", shape: [-1], datatype: "FP32", data: [1] }] }, /inputs\[0\]\.shape\[0\]/],
    [{ inputs: [{ name: "a", shape: [1], datatype: "FP8", data: [1] }] }, /unsupported datatype "FP8"/],
    [
      { inputs: [{ name: "a", shape: [1], datatype: "FP32", data: 1 }] },
      /inputs\[0\]\.data: must be an array/,
    ],
    [[1, 2], /body/],
  ])("rejects malformed request %j with a message naming the field", (body, message) => {
    expect(() => decodeInferRequest(body)).toThrow(message);
  });

  it("encodes outputs and echoes the id", () => {
    const text = encodeInferResponse({
      model: "m",
      version: 3,
      id: "abc",
      outputs: [{ name: "label", datatype: "INT64", shape: [2], values: new BigInt64Array([1n, 2n]) }],
    });
    expect(JSON.parse(text)).toEqual({
      model_name: "m",
      model_version: "3",
      id: "abc",
      outputs: [{ name: "label", datatype: "INT64", shape: [2], data: [1, 2] }],
    });
    expect(
      "id" in JSON.parse(encodeInferResponse({ model: "m", version: 1, id: undefined, outputs: [] })),
    ).toBe(false);
  });
});

/** The response as an object, serialised by JSON.stringify: what the hand-written encoder must match. */
function referenceResponse(r: InferenceResult): string {
  return JSON.stringify({
    model_name: r.model,
    model_version: String(r.version),
    ...(r.id === undefined ? {} : { id: r.id }),
    outputs: r.outputs.map((t) => ({
      name: t.name,
      datatype: t.datatype,
      shape: t.shape,
      data: fromTensorValues(t.datatype, t.values),
    })),
  });
}

describe("V2 response encoder", () => {
  // Values that stress number and string formatting; every datatype, random shapes and ids.
  const floats = [0, -0, 1.5, 1e-7, 1e21, 123456.789, -3.4e38, Number.NaN, Infinity, -Infinity, 0.1];
  const ints = [0, -1, 127, -128, 65535, 2147483647, -2147483648];
  const bigs = [0n, -1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n)];
  const texts = ["", "a", 'quote " and \\ backslash', "line\nbreak", "é ✓ 😀", "\u0000\u001f"];
  const next = mulberry32(424242);
  const uniform = (n: number) => Math.floor(next() * n);
  const any = <T>(xs: readonly T[]): T => xs[uniform(xs.length)] as T;

  it("writes exactly the bytes JSON.stringify writes for the same response (2000 random results)", () => {
    const kinds: Datatype[] = [
      "FP32",
      "FP64",
      "INT8",
      "INT32",
      "UINT8",
      "UINT32",
      "INT64",
      "UINT64",
      "BOOL",
      "BYTES",
    ];
    let finite = 0;
    for (let round = 0; round < 2000; round++) {
      const outputs = Array.from({ length: uniform(4) }, (_, k) => {
        const datatype = any(kinds);
        const n = uniform(12);
        const values = DATATYPE_INFO[datatype].alloc(n);
        for (let i = 0; i < n; i++) {
          const kind = DATATYPE_INFO[datatype].kind;
          if (kind === "float")
            (values as Float64Array)[i] = any(floats) * (uniform(3) + 1) + (uniform(2) ? next() : 0);
          else if (kind === "int") (values as Int32Array)[i] = any(ints);
          else if (kind === "bigint")
            (values as BigInt64Array)[i] = datatype === "UINT64" ? any(bigs) & (2n ** 64n - 1n) : any(bigs);
          else if (kind === "bool") (values as Uint8Array)[i] = uniform(3);
          else (values as string[])[i] = any(texts);
        }
        if (
          DATATYPE_INFO[datatype].kind === "float" &&
          Array.from(values as Float64Array).every(Number.isFinite)
        )
          finite++;
        return { name: any(texts) || `out${k}`, datatype, shape: [1, n], values };
      });
      const result: InferenceResult = {
        model: any(["digits", 'm"x', "ünï"]),
        version: uniform(1000) + 1,
        id: uniform(3) === 0 ? undefined : any(texts),
        outputs,
      };
      expect(encodeInferResponse(result)).toBe(referenceResponse(result));
    }
    expect(finite).toBeGreaterThan(100); // the join fast path was exercised, not only the fallback
  });
});

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a failure is reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic pseudo-random choices, biased towards each list's first element. */
function random(seed: number) {
  const next = mulberry32(seed);
  // Mostly the first (well-formed) choice, so that many whole bodies come out valid.
  return <T>(xs: readonly T[]): T => (next() < 0.85 ? xs[0] : xs[Math.floor(next() * xs.length)]) as T;
}

describe("V2 request envelope fast path", () => {
  // Field values a request may carry, good and bad, mixed at random into many bodies.
  const pick = random(20261127);
  const ABSENT = Symbol("absent");
  const names = ["input", "", 7, null, ABSENT];
  const shapes = [[1, 64], [0], [], [2.5], [-1, 3], [2 ** 53, 1], "1,64", [1, "64"], ABSENT];
  const datatypes = ["FP32", "NOPE", 3, ABSENT];
  const datas = [[1, 2], [], "1,2", { a: 1 }, ABSENT];
  const params = [ABSENT, ABSENT, ABSENT, {}, { timeout_ms: 5 }, { timeout_ms: 0 }, [], "x"];
  const ids = [ABSENT, "42", 42, ""];
  const outputsList = [
    ABSENT,
    [],
    [{ name: "label" }],
    [{ name: "" }],
    [{}],
    [{ name: "p", parameters: {} }],
    {},
  ];
  const set = (o: Record<string, unknown>, k: string, v: unknown) => {
    if (v !== ABSENT) o[k] = v;
    return o;
  };
  const tensor = () => {
    const t: Record<string, unknown> = {};
    set(t, "name", pick(names));
    set(t, "shape", pick(shapes));
    set(t, "datatype", pick(datatypes));
    set(t, "data", pick(datas));
    set(t, "parameters", pick(params));
    return t;
  };
  const body = (): unknown => {
    const b: Record<string, unknown> = { extra: "ignored" };
    set(b, "id", pick(ids));
    set(b, "parameters", pick(params));
    set(b, "inputs", pick([[tensor()], [tensor(), tensor()], [], "x", ABSENT, [tensor()]]));
    set(b, "outputs", pick(outputsList));
    return pick([b, b, b, b, null, [], "body"]);
  };

  it("accepts only bodies the schema accepts, and reads them the same way", () => {
    let fast = 0;
    let viaSchema = 0;
    for (let i = 0; i < 5000; i++) {
      const b = body();
      const parsed = requestSchema.safeParse(b);
      const plain = plainEnvelope(b);
      if (plain) {
        fast++;
        expect(parsed.success, JSON.stringify(b)).toBe(true);
        const { id, inputs, outputs } = parsed.data as NonNullable<typeof parsed.data>;
        expect({ id: plain.id, inputs: plain.inputs, outputs: plain.outputs }).toMatchObject({
          id,
          inputs,
          outputs,
        });
      } else if (parsed.success) viaSchema++;
    }
    // Both paths were exercised: many plain bodies, and valid ones the fast path leaves to zod.
    expect(fast).toBeGreaterThan(50);
    expect(viaSchema).toBeGreaterThan(50);
  });

  it("takes the usual one-tensor request without the schema", () => {
    const b = { inputs: [{ name: "input", shape: [1, 2], datatype: "FP32", data: [1, 2] }] };
    expect(plainEnvelope(b)).toBe(b);
    expect(plainEnvelope({ ...b, parameters: { timeout_ms: 10 } })).toBeUndefined();
  });
});
