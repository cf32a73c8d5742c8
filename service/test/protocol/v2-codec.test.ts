import { describe, expect, it } from "vitest";
import type { InferenceResult } from "../../src/contract/inference.js";
import type { Datatype } from "../../src/contract/tensor.js";
import { fromTensorValues } from "../../src/protocol/tensor-data.js";
import {
  decodeInferRequest,
  encodeBinaryInferResponse,
  encodeInferResponse,
  isBinaryOutput,
  plainEnvelope,
  requestSchema,
} from "../../src/protocol/v2-codec.js";
import { DATATYPE_INFO } from "../../src/runtime/datatypes.js";
import { targetOf } from "../support/targets.js";

/** Decodes against the request's own inputs (support/targets.ts): these tests are about decoding. */
const decodeLenient = (body: unknown, binary?: Uint8Array) =>
  decodeInferRequest(body, targetOf(body), binary);

describe("V2 codec", () => {
  it("decodes the spec's example request, ignoring unknown parameters", () => {
    const req = decodeLenient({
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
    expect(() => decodeLenient(body)).toThrow(message);
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
      "FP16",
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
          else if (kind === "half")
            (values as Uint16Array)[i] = uniform(0x10000); // any bits: NaNs, ±Infinity too
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

describe("V2 codec: binary tensor data extension", () => {
  const f32 = (...xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);
  const i32 = (...xs: number[]) => new Uint8Array(new Int32Array(xs).buffer);
  const binaryInput = (name: string, shape: number[], datatype: string, size: number) => ({
    name,
    shape,
    datatype,
    parameters: { binary_data_size: size },
  });

  it("takes each binary input's bytes in order, beside JSON inputs", () => {
    const req = decodeLenient(
      {
        inputs: [
          binaryInput("a", [2], "FP32", 8),
          { name: "b", shape: [1], datatype: "INT32", data: [5] },
          binaryInput("c", [1, 3], "INT32", 12),
        ],
      },
      Buffer.concat([f32(1.5, -2), i32(7, 8, 9)]),
    );
    expect(req.inputs.map((t) => Array.from(t.values as Float32Array | Int32Array))).toEqual([
      [1.5, -2],
      [5],
      [7, 8, 9],
    ]);
    expect(req.binaryOutputs).toBeUndefined();
  });

  it.each([
    [
      "data and binary data both",
      { inputs: [{ ...binaryInput("a", [1], "FP32", 4), data: [1] }] },
      f32(1),
      /inputs\[0\]\.parameters\.binary_data_size: an input has data or binary data, not both/,
    ],
    [
      "binary data without the header's split",
      { inputs: [binaryInput("a", [1], "FP32", 4)] },
      undefined,
      /needs the Inference-Header-Content-Length header/,
    ],
    [
      "sizes past the bytes sent",
      { inputs: [binaryInput("a", [1], "FP32", 4), binaryInput("b", [2], "FP32", 8)] },
      f32(1, 2),
      /inputs\[1\]\.parameters\.binary_data_size: 8 bytes from byte 4 run past the 8 bytes/,
    ],
    [
      "bytes no input claims",
      { inputs: [binaryInput("a", [1], "FP32", 4)] },
      f32(1, 2),
      /4 of the 8 bytes after the JSON header belong to no input/,
    ],
    [
      "a size that is not a byte count",
      { inputs: [binaryInput("a", [1], "FP32", -4)] },
      f32(1),
      /inputs\[0\]\.parameters\.binary_data_size/,
    ],
    [
      "a size that does not fit the shape",
      { inputs: [binaryInput("a", [2], "FP32", 4)] },
      f32(1),
      /binary_data_size is 4 bytes where FP32 shape \[2\] needs 8/,
    ],
  ])("refuses %s", (_what, body, binary, message) => {
    expect(() => decodeLenient(body, binary)).toThrow(message);
  });

  it("reads which outputs are wanted binary: the output's own flag, else the request's", () => {
    const input = { name: "x", shape: [1], datatype: "FP32", data: [1] };
    const decode = (extra: Record<string, unknown>) => decodeLenient({ inputs: [input], ...extra });
    expect(decode({}).binaryOutputs).toBeUndefined();
    expect(
      decode({ outputs: [{ name: "a", parameters: { binary_data: false } }] }).binaryOutputs,
    ).toBeUndefined();
    const all = decode({
      parameters: { binary_data_output: true },
      outputs: [{ name: "a" }, { name: "b", parameters: { binary_data: false } }],
    }).binaryOutputs;
    expect(all && ["a", "b", "c"].map((n) => isBinaryOutput(all, n))).toEqual([true, false, true]);
    const one = decode({
      outputs: [{ name: "a", parameters: { binary_data: true } }, { name: "b" }],
    }).binaryOutputs;
    expect(one && ["a", "b"].map((n) => isBinaryOutput(one, n))).toEqual([true, false]);
  });

  it("answers binary outputs after the JSON header, the others as JSON data", () => {
    const result: InferenceResult = {
      model: "digits",
      version: 2,
      id: "r1",
      outputs: [
        { name: "label", datatype: "INT64", shape: [2], values: new BigInt64Array([3n, 9n]) },
        {
          name: "probabilities",
          datatype: "FP32",
          shape: [2, 2],
          values: new Float32Array([0.25, 0.75, 1, 0]),
        },
        { name: "names", datatype: "BYTES", shape: [1], values: ["é"] },
      ],
    };
    const wanted = {
      all: false,
      byName: new Map([
        ["label", true],
        ["names", true],
      ]),
    };
    const encoded = encodeBinaryInferResponse(result, wanted);
    if (!encoded) throw new Error("expected a binary response");
    const header = JSON.parse(encoded.body.subarray(0, encoded.headerLength).toString("utf8"));
    const reference = JSON.parse(encodeInferResponse(result));
    expect(header).toEqual({
      ...reference,
      outputs: [
        { name: "label", datatype: "INT64", shape: [2], parameters: { binary_data_size: 16 } },
        reference.outputs[1],
        { name: "names", datatype: "BYTES", shape: [1], parameters: { binary_data_size: 6 } },
      ],
    });
    const tail = encoded.body.subarray(encoded.headerLength);
    expect(tail.length).toBe(22);
    expect(tail.readBigInt64LE(0)).toBe(3n);
    expect(tail.readBigInt64LE(8)).toBe(9n);
    expect(tail.readUInt32LE(16)).toBe(2);
    expect(tail.subarray(20).toString("utf8")).toBe("é");
    expect(
      encodeBinaryInferResponse(result, { all: false, byName: new Map([["other", true]]) }),
    ).toBeUndefined();
  });
});
