import { describe, expect, it } from "vitest";
import type { HostTensor } from "../../src/contract/tensor.js";
import { InfergateError } from "../../src/errors.js";
import { classifyOutputs } from "../../src/protocol/classification.js";

const probs: HostTensor = {
  name: "p",
  datatype: "FP32",
  shape: [2, 4],
  values: new Float32Array([0.1, 0.6, 0.25, 0.05, 0.3, 0.3, 0.1, 0.3]),
};
const labels = ["zero", "one", "two", "three"];
const noLabels = () => undefined;

describe("classification extension", () => {
  it("answers the top k per row, largest first, as value:index:label with six decimals", () => {
    const [t] = classifyOutputs([probs], new Map([["p", 2]]), true, () => labels);
    expect(t).toEqual({
      name: "p",
      datatype: "BYTES",
      shape: [2, 2],
      // row 2 ties: equal values keep index order
      values: ["0.600000:1:one", "0.250000:2:two", "0.300000:0:zero", "0.300000:1:one"],
    });
  });

  it("leaves outputs not asked for untouched, and omits labels the output does not have", () => {
    const other: HostTensor = {
      name: "q",
      datatype: "INT64",
      shape: [2],
      values: new BigInt64Array([3n, 7n]),
    };
    const [p, q] = classifyOutputs([probs, other], new Map([["p", 1]]), true, noLabels);
    expect(p?.values).toEqual(["0.600000:1", "0.300000:0"]);
    expect(q).toBe(other);
  });

  it("cuts k to the values a row has; an unbatched output is one row of shape [k]", () => {
    const [batched] = classifyOutputs([probs], new Map([["p", 9]]), true, noLabels);
    expect(batched?.shape).toEqual([2, 4]);
    const flat: HostTensor = { name: "s", datatype: "INT32", shape: [3], values: new Int32Array([5, -1, 9]) };
    expect(classifyOutputs([flat], new Map([["s", 2]]), false, noLabels)[0]).toMatchObject({
      shape: [2],
      values: ["9.000000:2", "5.000000:0"],
    });
  });

  it("ranks NaN last and works on FP16", () => {
    const nan: HostTensor = {
      name: "n",
      datatype: "FP64",
      shape: [1, 3],
      values: new Float64Array([Number.NaN, 1, 2]),
    };
    expect(classifyOutputs([nan], new Map([["n", 3]]), true, noLabels)[0]?.values).toEqual([
      "2.000000:2",
      "1.000000:1",
      "NaN:0",
    ]);
    const half: HostTensor = {
      name: "h",
      datatype: "FP16",
      shape: [1, 2],
      values: new Uint16Array([0x3c00, 0x3e00]),
    };
    expect(classifyOutputs([half], new Map([["h", 1]]), true, noLabels)[0]?.values).toEqual(["1.500000:1"]);
  });

  it("refuses a BYTES or BOOL output with a 400 naming it", () => {
    const text: HostTensor = { name: "t", datatype: "BYTES", shape: [1], values: ["a"] };
    expect(() => classifyOutputs([text], new Map([["t", 1]]), true, noLabels)).toThrow(InfergateError);
    expect(() => classifyOutputs([text], new Map([["t", 1]]), true, noLabels)).toThrow(
      'output "t": classification needs a numeric output, it is BYTES',
    );
  });
});
