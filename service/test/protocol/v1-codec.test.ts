import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InferenceResult, RunFn } from "../../src/contract/inference.js";
import type { HostTensor, TensorSpec, TensorValues } from "../../src/contract/tensor.js";
import { ServedVersion } from "../../src/core/served-version.js";
import { decodePredictRequest, encodePredictResponse } from "../../src/protocol/v1-codec.js";
import { type Manifest, parseManifest } from "../../src/repository/manifest.js";
import { OnnxModel } from "../../src/runtime/onnx-model.js";
import { validationRows } from "../support/data.js";
import { thrown } from "../support/errors.js";
import { BUNDLED_REPOSITORY } from "../support/paths.js";

const DIGITS_DIR = `${BUNDLED_REPOSITORY}/digits/2`;
/** The shipped classifier: input FP32 [-1, 64]; outputs label INT64 [-1], probabilities FP32 [-1, 10]. */
const digits = parseManifest(readFileSync(`${DIGITS_DIR}/manifest.json`, "utf8"), DIGITS_DIR);

/** The codec reads only the signature; running the model or touching metrics here is a bug. */
const untouchable = () => {
  throw new Error("the V1 codec must not run the model or record metrics");
};

function served(manifest: Manifest, model = manifest.name): ServedVersion {
  return new ServedVersion(
    model,
    manifest.version,
    manifest,
    untouchable as RunFn,
    untouchable,
    async () => {},
    32,
  );
}

/** A manifest with the digits metadata but another signature (no labels unless given). */
function signature(inputs: TensorSpec[], outputs: TensorSpec[], labels?: string[], name = "toy"): Manifest {
  const { labels: _ignored, ...base } = digits;
  return { ...base, name, version: 7, inputs, outputs, ...(labels ? { labels } : {}) };
}

const spec = (name: string, datatype: TensorSpec["datatype"], shape: number[]): TensorSpec => ({
  name,
  datatype,
  shape,
});

const result = (version: number, outputs: HostTensor[]): InferenceResult => ({
  model: "m",
  version,
  id: undefined,
  outputs,
});

describe("decodePredictRequest", () => {
  const digitsV2 = served(digits);

  it("reads flat instances (one row of the input each) into one batched tensor", () => {
    const rows = validationRows().slice(0, 3);
    const req = decodePredictRequest({ instances: rows.map((r) => r.features) }, digitsV2.decodeTarget);
    expect(req.id).toBeUndefined();
    expect(req.outputs).toBeUndefined();
    expect(req.inputs).toHaveLength(1);
    const [t] = req.inputs as [HostTensor];
    expect([t.name, t.datatype, t.shape]).toEqual(["input", "FP32", [3, 64]]);
    expect(t.values).toBeInstanceOf(Float32Array);
    expect(Array.from(t.values as Float32Array)).toEqual(rows.flatMap((r) => r.features));
    expect(digitsV2.checkInputs(req.inputs)).toBeUndefined();
  });

  it("reads nested instances of a rank-3 input in row-major order", () => {
    const model = served(signature([spec("image", "FP64", [-1, 2, 3])], [spec("y", "FP64", [-1])]));
    const req = decodePredictRequest(
      {
        instances: [
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          [
            [7, 8, 9],
            [10, 11, 12.5],
          ],
        ],
      },
      model.decodeTarget,
    );
    const [t] = req.inputs as [HostTensor];
    expect([t.name, t.datatype, t.shape]).toEqual(["image", "FP64", [2, 2, 3]]);
    expect(t.values).toBeInstanceOf(Float64Array);
    expect(Array.from(t.values as Float64Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.5]);
  });

  it("reads scalar instances of a rank-1 input, in the input's datatype", () => {
    const ids = served(signature([spec("id", "INT64", [-1])], [spec("score", "FP32", [-1])]));
    const req = decodePredictRequest({ instances: [1, "9007199254740993", -3] }, ids.decodeTarget);
    const [t] = req.inputs as [HostTensor];
    expect([t.name, t.datatype, t.shape]).toEqual(["id", "INT64", [3]]);
    expect(t.values).toBeInstanceOf(BigInt64Array);
    expect(Array.from(t.values as BigInt64Array)).toEqual([1n, 9007199254740993n, -3n]);

    const words = served(signature([spec("text", "BYTES", [-1])], [spec("score", "FP32", [-1])]));
    const [w] = decodePredictRequest({ instances: ["a", "bc"] }, words.decodeTarget).inputs as [HostTensor];
    expect([w.shape, w.values]).toEqual([[2], ["a", "bc"]]);
  });

  it("accepts (and ignores) request parameters", () => {
    const req = decodePredictRequest(
      { instances: [validationRows()[0]?.features], parameters: { signature_name: "serving_default" } },
      digitsV2.decodeTarget,
    );
    expect(req.inputs[0]?.shape).toEqual([1, 64]);
  });

  it("refuses instances that do not fit a fixed batch dim before allocating (the codec sizes the batch from them)", () => {
    const fixed = served(signature([spec("x", "INT32", [1, 2])], [spec("y", "INT32", [1])]));
    const decode = (instances: number[][]) => () => decodePredictRequest({ instances }, fixed.decodeTarget);
    expect(decode([[1, 2]])().inputs[0]?.shape).toEqual([1, 2]);
    const err = thrown(
      decode([
        [1, 2],
        [3, 4],
      ]),
    );
    expect([err.code, err.message]).toEqual([
      "SHAPE_MISMATCH",
      'input "x": dimension 0 must be 1 (shape [1,2]), got [2,2]',
    ]);
  });

  it("refuses models with more than one input, pointing to the V2 API", () => {
    const pair = served(
      signature([spec("a", "FP32", [-1, 2]), spec("b", "FP32", [-1, 2])], [spec("y", "FP32", [-1])]),
      "pair",
    );
    const err = thrown(() => decodePredictRequest({ instances: [[1, 2]] }, pair.decodeTarget));
    expect([err.code, err.kind]).toEqual(["INVALID_REQUEST", "invalid_argument"]);
    expect(err.message).toBe('model "pair" has 2 inputs; use the V2 infer API for multi-input models');
  });

  it.each([[[-1, -1]], [[-1, 3, -1]], [[-1, -1, 3]]])(
    "refuses a dynamic non-batch dim (input shape %j)",
    (shape) => {
      const dyn = served(signature([spec("x", "FP32", shape)], [spec("y", "FP32", [-1])]), "ragged");
      const err = thrown(() => decodePredictRequest({ instances: [[1, 2, 3]] }, dyn.decodeTarget));
      expect([err.code, err.kind]).toEqual(["INVALID_REQUEST", "invalid_argument"]);
      expect(err.message).toBe('model "ragged" has dynamic non-batch dims; use the V2 infer API');
    },
  );

  it("names the flat element index of a wrongly typed element (row 1, column 3 → element 67)", () => {
    const features = validationRows()
      .slice(0, 2)
      .map((r) => [...r.features]);
    (features[1] as unknown[])[3] = "x";
    const err = thrown(() => decodePredictRequest({ instances: features }, digitsV2.decodeTarget));
    expect([err.code, err.kind]).toEqual(["INVALID_TENSOR_DATA", "invalid_argument"]);
    expect(err.message).toBe('input "input": element 67 is string "x", expected a number for FP32');
  });

  it.each([
    [
      "INT32",
      [-1, 2],
      [
        [1, 2],
        [3, 2.5],
      ],
      'input "x": element 3 is number 2.5, expected an integer in [-2147483648, 2147483647] for INT32',
    ],
    [
      "UINT8",
      [-1],
      [0, 256],
      'input "x": element 1 is number 256, expected an integer in [0, 255] for UINT8',
    ],
    [
      "BOOL",
      [-1, 2],
      [
        [true, false],
        [1, true],
      ],
      'input "x": element 2 is number 1, expected true or false for BOOL',
    ],
    ["BYTES", [-1], ["a", null], 'input "x": element 1 is null, expected a string for BYTES'],
    [
      "INT64",
      [-1],
      [2 ** 60],
      'input "x": element 0 is number 1152921504606847000, expected a safe integer or a decimal string for INT64',
    ],
  ] as const)("refuses a bad %s element with its index", (datatype, shape, instances, message) => {
    const model = served(signature([spec("x", datatype, [...shape])], [spec("y", "FP32", [-1])]));
    const err = thrown(() => decodePredictRequest({ instances }, model.decodeTarget));
    expect([err.code, err.kind, err.message]).toEqual(["INVALID_TENSOR_DATA", "invalid_argument", message]);
  });

  it("refuses ragged instances even when their total matches the batch", () => {
    const row = (n: number) => Array.from({ length: n }, (_, i) => i % 16);
    const err = thrown(() => decodePredictRequest({ instances: [row(65), row(63)] }, digitsV2.decodeTarget));
    expect([err.code, err.kind, err.message]).toEqual([
      "SHAPE_MISMATCH",
      "invalid_argument",
      'input "input": instances[0] has 65 elements where shape [2, 64] needs 64',
    ]);
  });

  it("refuses instances of the wrong width with the element count", () => {
    const err = thrown(() => decodePredictRequest({ instances: [[1, 2, 3]] }, digitsV2.decodeTarget));
    expect([err.code, err.kind]).toEqual(["SHAPE_MISMATCH", "invalid_argument"]);
    expect(err.message).toBe('input "input": instances[0] has 3 elements where shape [1, 64] needs 64');
  });

  it.each([
    [{ instances: [] }, "instances: Too small: expected array to have >=1 items"],
    [{}, "instances: Invalid input: expected array, received undefined"],
    [{ instances: 3 }, "instances: Invalid input: expected array, received number"],
    [null, "body: Invalid input: expected object, received null"],
    [[[1, 2]], "body: Invalid input: expected object, received array"],
    [{ instances: [[1]], parameters: "fast" }, "parameters: Invalid input: expected record, received string"],
  ])("refuses the malformed body %j", (body, message) => {
    const err = thrown(() => decodePredictRequest(body, digitsV2.decodeTarget));
    expect([err.code, err.kind, err.message]).toEqual(["INVALID_REQUEST", "invalid_argument", message]);
  });
});

describe("encodePredictResponse", () => {
  const digitsV2 = served(digits);
  // Exactly representable in float32, so the expectations are exact.
  const probs = [
    [0, 0, 0, 0.75, 0, 0, 0, 0.25, 0, 0],
    [0.125, 0, 0, 0, 0, 0, 0, 0.5, 0.375, 0],
  ];
  const probabilities = (rows: number[][]): HostTensor => ({
    name: "probabilities",
    datatype: "FP32",
    shape: [rows.length, 10],
    values: Float32Array.from(rows.flat()),
  });
  const labels = (values: bigint[]): HostTensor => ({
    name: "label",
    datatype: "INT64",
    shape: [values.length],
    values: BigInt64Array.from(values),
  });
  const byLabel = (row: number[]) => Object.fromEntries(row.map((p, j) => [String(j), p]));

  it("gives classifiers {label, score, probabilities} per row, keyed by the manifest's labels", () => {
    const res = encodePredictResponse(
      result(2, [labels([3n, 7n]), probabilities(probs)]),
      digitsV2.classifier,
    );
    expect(res).toEqual({
      model_version: "2",
      predictions: [
        { label: "3", score: 0.75, probabilities: byLabel(probs[0] as number[]) },
        { label: "7", score: 0.5, probabilities: byLabel(probs[1] as number[]) },
      ],
    });
  });

  it("takes the model's label output over the argmax, and the argmax when there is no label output", () => {
    const tie = [[0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0]];
    const withLabel = encodePredictResponse(
      result(2, [labels([1n]), probabilities(tie)]),
      digitsV2.classifier,
    );
    expect(withLabel.predictions[0]).toMatchObject({ label: "1", score: 0.5 });
    const argmaxOnly = encodePredictResponse(result(2, [probabilities(probs)]), digitsV2.classifier);
    expect(argmaxOnly.predictions.map((p: { label: string; score: number }) => [p.label, p.score])).toEqual([
      ["3", 0.75],
      ["7", 0.5],
    ]);
  });

  it("uses the manifest's label names", () => {
    const animals = served(
      signature(
        [spec("x", "FP32", [-1, 4])],
        [spec("class", "INT64", [-1]), spec("p", "FP32", [-1, 3])],
        ["cat", "dog", "bird"],
      ),
    );
    expect(animals.classifier).toEqual({
      labels: ["cat", "dog", "bird"],
      probabilities: "p",
      labelOutput: "class",
    });
    const res = encodePredictResponse(
      result(7, [
        { name: "class", datatype: "INT64", shape: [1], values: BigInt64Array.from([1n]) },
        { name: "p", datatype: "FP32", shape: [1, 3], values: Float32Array.from([0.25, 0.625, 0.125]) },
      ]),
      animals.classifier,
    );
    expect(res).toEqual({
      model_version: "7",
      predictions: [{ label: "dog", score: 0.625, probabilities: { cat: 0.25, dog: 0.625, bird: 0.125 } }],
    });
  });

  it("gives a non-classifier's single output as one row per instance", () => {
    const model = served(signature([spec("x", "FP32", [-1, 2])], [spec("y", "FP32", [-1, 3])]));
    expect(model.classifier).toBeUndefined();
    const res = encodePredictResponse(
      result(7, [
        { name: "y", datatype: "FP32", shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, 6.5]) },
      ]),
      model.classifier,
    );
    expect(res).toEqual({
      model_version: "7",
      predictions: [
        [1, 2, 3],
        [4, 5, 6.5],
      ],
    });
  });

  it("nests each row of a rank-3+ output to the row's shape (row-major)", () => {
    const model = served(signature([spec("x", "FP32", [-1, 2])], [spec("y", "INT32", [-1, 2, 3, 2])]));
    const values = Int32Array.from({ length: 24 }, (_, i) => i);
    const res = encodePredictResponse(
      result(7, [{ name: "y", datatype: "INT32", shape: [2, 2, 3, 2], values }]),
      model.classifier,
    );
    expect(res.predictions).toEqual([
      [
        [
          [0, 1],
          [2, 3],
          [4, 5],
        ],
        [
          [6, 7],
          [8, 9],
          [10, 11],
        ],
      ],
      [
        [
          [12, 13],
          [14, 15],
          [16, 17],
        ],
        [
          [18, 19],
          [20, 21],
          [22, 23],
        ],
      ],
    ]);
    const rank3 = encodePredictResponse(
      result(7, [{ name: "y", datatype: "FP32", shape: [1, 2, 2], values: Float32Array.from([1, 2, 3, 4]) }]),
      model.classifier,
    );
    expect(rank3.predictions).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
    ]);
  });

  it.each<[TensorSpec["datatype"], TensorValues, unknown[]]>([
    ["INT64", BigInt64Array.from([5n, -1n]), [5, -1]],
    ["BOOL", Uint8Array.from([1, 0]), [true, false]],
    ["BYTES", ["yes", "no"], ["yes", "no"]],
    ["FP64", Float64Array.from([0.1, -2]), [0.1, -2]],
  ])("gives a rank-1 %s output as one JSON value per instance", (datatype, values, expected) => {
    const model = served(signature([spec("x", "FP32", [-1, 2])], [spec("y", datatype, [-1])]));
    const res = encodePredictResponse(
      result(7, [{ name: "y", datatype, shape: [2], values }]),
      model.classifier,
    );
    expect(res.predictions).toEqual(expected);
  });

  it("gives several outputs as one object of all outputs per instance", () => {
    const unlabelled = served(signature(digits.inputs, digits.outputs, undefined, "digits"));
    expect(unlabelled.classifier).toBeUndefined();
    const res = encodePredictResponse(
      result(2, [labels([3n, 7n]), probabilities(probs)]),
      unlabelled.classifier,
    );
    expect(res).toEqual({
      model_version: "2",
      predictions: [
        { label: 3, probabilities: probs[0] },
        { label: 7, probabilities: probs[1] },
      ],
    });
  });

  it("falls back to plain rows for a classifier whose probabilities were not returned", () => {
    const res = encodePredictResponse(result(2, [labels([3n, 7n])]), digitsV2.classifier);
    expect(res).toEqual({ model_version: "2", predictions: [3, 7] });
  });
});

describe("V1 codec around the shipped digits v2 model (ONNX Runtime)", () => {
  let model: OnnxModel;
  beforeAll(async () => {
    model = await OnnxModel.load(
      `${DIGITS_DIR}/model.onnx`,
      digits,
      { intraOpThreads: 1, graphOptimizationLevel: "all" },
      DIGITS_DIR,
    );
  });
  afterAll(async () => {
    await model.release();
  });

  // The first eight validation rows, all of which digits v2 classifies correctly.
  const rows = validationRows().slice(0, 8);

  it("decodes instances the model runs, and encodes its outputs as labelled predictions", async () => {
    const digitsV2 = served(digits);
    const req = decodePredictRequest({ instances: rows.map((r) => r.features) }, digitsV2.decodeTarget);
    const outputs = await model.run(req.inputs, digitsV2.outputNames);
    const res = encodePredictResponse(result(2, outputs), digitsV2.classifier);
    expect(res.model_version).toBe("2");
    expect(res.predictions.map((p: { label: string }) => p.label)).toEqual(rows.map((r) => String(r.label)));
    expect(rows.map((r) => String(r.label))).toEqual(["0", "5", "2", "7", "9", "1", "5", "6"]);
    for (const p of res.predictions as {
      label: string;
      score: number;
      probabilities: Record<string, number>;
    }[]) {
      expect(Object.keys(p.probabilities)).toEqual(digits.labels);
      expect(p.score).toBe(p.probabilities[p.label]);
      expect(p.score).toBe(Math.max(...Object.values(p.probabilities)));
      const sum = Object.values(p.probabilities).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  it("encodes the same outputs as rows of both outputs when the manifest has no labels", async () => {
    const unlabelled = served(signature(digits.inputs, digits.outputs, undefined, "digits"));
    const req = decodePredictRequest(
      { instances: rows.slice(0, 2).map((r) => r.features) },
      unlabelled.decodeTarget,
    );
    const outputs = await model.run(req.inputs, unlabelled.outputNames);
    const res = encodePredictResponse(result(2, outputs), unlabelled.classifier);
    const predictions = res.predictions as { label: number; probabilities: number[] }[];
    expect(predictions.map((p) => p.label)).toEqual([0, 5]);
    expect(predictions.map((p) => p.probabilities.length)).toEqual([10, 10]);
    expect(predictions[1]?.probabilities).toEqual(
      Array.from(((outputs[1] as HostTensor).values as Float32Array).subarray(10, 20)),
    );
  });
});
