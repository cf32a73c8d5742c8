import { describe, expect, it } from "vitest";
import { decodeInferRequest, encodeInferResponse } from "../../src/protocol/v2-codec.js";

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
    const body = encodeInferResponse({
      model: "m",
      version: 3,
      id: "abc",
      outputs: [{ name: "label", datatype: "INT64", shape: [2], values: new BigInt64Array([1n, 2n]) }],
    });
    expect(body).toEqual({
      model_name: "m",
      model_version: "3",
      id: "abc",
      outputs: [{ name: "label", datatype: "INT64", shape: [2], data: [1, 2] }],
    });
    expect("id" in encodeInferResponse({ model: "m", version: 1, id: undefined, outputs: [] })).toBe(false);
  });
});
