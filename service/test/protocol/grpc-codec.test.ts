import { describe, expect, it } from "vitest";
import { tensorBytes } from "../../src/protocol/binary-tensor.js";
import {
  decodeGrpcInferRequest,
  encodeGrpcInferResponse,
  type GrpcInferRequest,
} from "../../src/protocol/grpc-codec.js";
import { targetOf } from "../support/targets.js";

type Input = GrpcInferRequest["inputs"][number];
type Contents = NonNullable<Input["contents"]>;

/** Contents as @grpc/proto-loader fills them in (defaults: every repeated field present). */
const EMPTY: Contents = {
  bool_contents: [],
  int_contents: [],
  int64_contents: [],
  uint_contents: [],
  uint64_contents: [],
  fp32_contents: [],
  fp64_contents: [],
  bytes_contents: [],
};

const input = (
  name: string,
  datatype: string,
  shape: string[],
  contents: Partial<typeof EMPTY> | null,
): Input => ({
  name,
  datatype,
  shape,
  parameters: {},
  contents: contents && { ...EMPTY, ...contents },
});
const request = (inputs: Input[], extra: Partial<GrpcInferRequest> = {}): GrpcInferRequest => ({
  model_name: "m",
  model_version: "",
  id: "",
  parameters: {},
  inputs,
  outputs: [],
  raw_input_contents: [],
  ...extra,
});

/** Decodes against the request's own inputs (support/targets.ts): these tests are about decoding. */
const decodeGrpcLenient = (req: GrpcInferRequest) => decodeGrpcInferRequest(req, targetOf(req));

describe("gRPC codec", () => {
  it("reads each datatype from its contents field (64-bit integers as exact decimal strings)", () => {
    const req = decodeGrpcLenient(
      request(
        [
          input("f", "FP32", ["1", "2"], { fp32_contents: [0.5, -1] }),
          input("d", "FP64", ["1"], { fp64_contents: [1e300] }),
          input("i8", "INT8", ["2"], { int_contents: [-128, 127] }),
          input("i64", "INT64", ["2"], { int64_contents: ["-9223372036854775808", "9007199254740993"] }),
          input("u16", "UINT16", ["1"], { uint_contents: [65535] }),
          input("u64", "UINT64", ["1"], { uint64_contents: ["18446744073709551615"] }),
          input("b", "BOOL", ["3"], { bool_contents: [true, false, true] }),
          input("s", "BYTES", ["2"], { bytes_contents: [Buffer.from("é"), Buffer.from("")] }),
        ],
        { id: "r-1", outputs: [{ name: "out", parameters: {} }] },
      ),
    );
    expect(req.id).toBe("r-1");
    expect(req.outputs).toEqual(["out"]);
    expect(req.inputs.map((t) => [t.name, t.shape, Array.from(t.values as ArrayLike<unknown>)])).toEqual([
      ["f", [1, 2], [0.5, -1]],
      ["d", [1], [1e300]],
      ["i8", [2], [-128, 127]],
      ["i64", [2], [-(2n ** 63n), 2n ** 53n + 1n]],
      ["u16", [1], [65535]],
      ["u64", [1], [2n ** 64n - 1n]],
      ["b", [3], [1, 0, 1]],
      ["s", [2], ["é", ""]],
    ]);
  });

  it("reads raw_input_contents, one entry per input, in the binary layout", () => {
    const req = decodeGrpcLenient(
      request([input("a", "FP32", ["2"], null), input("s", "BYTES", ["1"], null)], {
        raw_input_contents: [
          Buffer.from(tensorBytes("FP32", new Float32Array([1.5, 2]))),
          Buffer.from(tensorBytes("BYTES", ["xyz"])),
        ],
      }),
    );
    expect(Array.from(req.inputs[0]?.values as Float32Array)).toEqual([1.5, 2]);
    expect(req.inputs[1]?.values).toEqual(["xyz"]);
    expect(req.id).toBeUndefined();
    expect(req.outputs).toBeUndefined();
  });

  it("takes parameters.timeout_ms as the request's queue timeout", () => {
    const r = decodeGrpcLenient(
      request([input("a", "FP32", ["1"], { fp32_contents: [1] })], {
        parameters: { timeout_ms: { int64_param: "250" } },
      }),
    );
    expect(r.timeoutMs).toBe(250);
  });

  it.each([
    ["no inputs", request([]), /inputs: at least one input/],
    [
      "an unknown datatype",
      request([input("a", "BF16", ["1"], { fp32_contents: [1] })]),
      /inputs\[0\]\.datatype: unsupported datatype "BF16"/,
    ],
    [
      "FP16 in typed contents (the protocol has none for it)",
      request([input("a", "FP16", ["1"], { fp32_contents: [1] })]),
      /input "a": FP16 has no typed contents in the protocol; send it in raw_input_contents/,
    ],
    [
      "an unnamed input",
      request([input("", "FP32", ["1"], { fp32_contents: [1] })]),
      /inputs\[0\]\.name: required/,
    ],
    [
      "neither contents nor raw contents",
      request([input("a", "FP32", ["1"], null)]),
      /inputs\[0\]\.contents: required/,
    ],
    [
      "the wrong count",
      request([input("a", "FP32", ["3"], { fp32_contents: [1] })]),
      /shape \[3\] needs 3 elements, data has 1/,
    ],
    [
      "the datatype's field left empty",
      request([input("a", "INT32", ["1"], { fp32_contents: [1] })]),
      /needs 1 elements, data has 0/,
    ],
    [
      "an out-of-range INT8",
      request([input("a", "INT8", ["1"], { int_contents: [300] })]),
      /expected an integer in \[-128, 127\]/,
    ],
    [
      "raw contents for some inputs only",
      request([input("a", "FP32", ["1"], null), input("b", "FP32", ["1"], null)], {
        raw_input_contents: [Buffer.alloc(4)],
      }),
      /raw_input_contents has 1 entries for 2 inputs/,
    ],
    [
      "contents and raw contents both",
      request([input("a", "FP32", ["1"], { fp32_contents: [1] })], { raw_input_contents: [Buffer.alloc(4)] }),
      /inputs\[0\]: contents and raw_input_contents both set/,
    ],
    [
      "raw contents that do not fit the shape",
      request([input("a", "FP32", ["2"], null)], { raw_input_contents: [Buffer.alloc(4)] }),
      /binary_data_size is 4 bytes where FP32 shape \[2\] needs 8/,
    ],
    [
      "non-UTF-8 BYTES",
      request([input("s", "BYTES", ["1"], { bytes_contents: [Buffer.from([0xff])] })]),
      /bytes_contents\[0\] is not UTF-8 text/,
    ],
    [
      "a timeout that is not a positive integer",
      request([input("a", "FP32", ["1"], { fp32_contents: [1] })], {
        parameters: { timeout_ms: { int64_param: "0" } },
      }),
      /parameters\.timeout_ms/,
    ],
  ])("refuses %s with a message naming the field", (_what, req, message) => {
    expect(() => decodeGrpcLenient(req)).toThrow(message);
  });

  it("answers every output as raw contents, with its name, datatype and shape", () => {
    const probabilities = new Float32Array([0.25, 0.75]);
    const response = encodeGrpcInferResponse({
      model: "digits",
      version: 2,
      id: undefined,
      outputs: [
        { name: "label", datatype: "INT64", shape: [1], values: new BigInt64Array([7n]) },
        { name: "probabilities", datatype: "FP32", shape: [1, 2], values: probabilities },
      ],
    });
    expect(response).toMatchObject({
      model_name: "digits",
      model_version: "2",
      id: "",
      outputs: [
        { name: "label", datatype: "INT64", shape: [1] },
        { name: "probabilities", datatype: "FP32", shape: [1, 2] },
      ],
    });
    expect(Buffer.from(response.raw_output_contents[0] as Uint8Array).readBigInt64LE(0)).toBe(7n);
    expect(Buffer.from(response.raw_output_contents[1] as Uint8Array)).toEqual(
      Buffer.from(probabilities.buffer),
    );
  });
});
