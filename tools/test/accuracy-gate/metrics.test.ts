import { describe, expect, it } from "vitest";
import {
  classificationMetrics,
  confusionMatrix,
  manifestMetrics,
  roundHalfEven,
} from "../../src/accuracy-gate/metrics.js";

describe("roundHalfEven (Python's round(x, n))", () => {
  // Expected values printed by CPython 3.11: round(x, 6) and round(x, 0).
  const cases: [number, number, number][] = [
    [0.5078125, 0.507812, 1],
    [0.0078125, 0.007812, 0],
    [0.0234375, 0.023438, 0],
    [2.5, 2.5, 2],
    [3.5, 3.5, 4],
    [-2.5, -2.5, -2],
    [0.9722222222, 0.972222, 1],
    [2 / 3, 0.666667, 1],
    [0.1 + 0.2, 0.3, 0],
    [1.5e-6, 0.000002, 0],
    [123456.7890125, 123456.789012, 123457],
    [0.958333333333, 0.958333, 1],
  ];
  it.each(cases)("round(%d) = %d (6 places), %d (0 places)", (x, six, zero) => {
    expect(roundHalfEven(x, 6)).toBe(six);
    expect(roundHalfEven(x, 0)).toBe(zero);
  });

  it("differs from toFixed exactly on ties, which it sends to even", () => {
    // 65/128 is an exact double ending in ...125: toFixed rounds the tie up, Python to even.
    expect(Number((65 / 128).toFixed(6))).toBe(0.507813);
    expect(roundHalfEven(65 / 128, 6)).toBe(0.507812);
    expect(roundHalfEven(67 / 128, 6)).toBe(0.523438); // ...4375: the tie goes up to the even 8
  });

  it("leaves zero, infinities and NaN alone", () => {
    expect(roundHalfEven(0, 6)).toBe(0);
    expect(roundHalfEven(Number.POSITIVE_INFINITY, 6)).toBe(Number.POSITIVE_INFINITY);
    expect(roundHalfEven(Number.NaN, 6)).toBeNaN();
  });
});

describe("classification metrics", () => {
  // 3 classes; class 2 never occurs in the truth and is predicted once.
  const truth = Int32Array.from([0, 0, 0, 1, 1, 1]);
  const predicted = Int32Array.from([0, 0, 1, 1, 1, 2]);
  const confusion = confusionMatrix(truth, predicted, 3);

  it("counts confusion[true][predicted]", () => {
    expect(confusion).toEqual([
      [2, 1, 0],
      [0, 2, 1],
      [0, 0, 0],
    ]);
  });

  it("uses train.py's formulas: recall 0 and f1 0 for an absent class", () => {
    const m = classificationMetrics(confusion);
    expect(m.rows).toBe(6);
    expect(m.correct).toBe(4);
    expect(m.accuracy).toBe(4 / 6);
    expect(m.recall).toEqual([2 / 3, 2 / 3, 0]);
    expect(m.support).toEqual([3, 3, 0]);
    // f1_0 = 4/(4+0+1), f1_1 = 4/(4+1+1), f1_2 = 0/(0+1+0) = 0; summed left to right, / 3.
    expect(m.f1).toEqual([4 / 5, 4 / 6, 0]);
    expect(m.macroF1).toBe((4 / 5 + 4 / 6 + 0) / 3);
    expect(manifestMetrics(m, ["a", "b", "c"])).toEqual({
      rows: 6,
      accuracy: 0.666667,
      macro_f1: 0.488889,
      per_class_recall: { a: 0.666667, b: 0.666667, c: 0 },
    });
  });

  it("rejects predictions outside the label range", () => {
    expect(() => confusionMatrix(Int32Array.from([0]), Int32Array.from([3]), 3)).toThrow(/outside 0..2/);
  });
});
