import { describe, expect, it } from "vitest";
import {
  averageRanks,
  binomialTestGreater,
  chiSquareHomogeneity,
  chiSquareSf,
  mannWhitneyU,
  normalSf,
  populationStabilityIndex,
} from "../../src/canary-judge/stats.js";

// Reference values computed once with scipy 1.17.1 (the models venv:
// `bash scripts/venv.sh models models/requirements.txt`), e.g.
//   stats.mannwhitneyu(x, y, alternative=..., method=...) -> (statistic, pvalue)
//   stats.chi2_contingency([a, b], correction=False)      -> (statistic, pvalue, dof)
//   stats.binomtest(k, n, p, alternative="greater").pvalue
//   stats.norm.sf(z), stats.chi2.sf(x, dof)
// and hard-coded here.

const close = (actual: number, expected: number, rel = 1e-9) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(Math.abs(expected), 1e-300));

describe("Mann-Whitney U against scipy.stats.mannwhitneyu", () => {
  it("exact distribution for small samples without ties", () => {
    // scipy's documentation example (males vs females): U1 = 17, p = 0.1111...
    const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(r.method).toBe("exact");
    expect(r.u1).toBe(17);
    close(r.pValue, 0.1111111111111111);
    // complete separation of 3 vs 3: two-sided p = 2 / C(6, 3)
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6])).toMatchObject({ u1: 0, u2: 9, pValue: 0.1, method: "exact" });
    // 12 vs 4, complete separation
    const a = [0.81, 0.79, 0.93, 0.85, 0.88, 0.8, 0.91, 0.86, 0.84, 0.95, 0.83, 0.87];
    const b = [0.97, 1.02, 0.99, 1.1];
    close(mannWhitneyU(a, b).pValue, 0.001098901098901099);
    close(mannWhitneyU(a, b, { alternative: "less" }).pValue, 0.0005494505494505495);
    expect(mannWhitneyU(a, b, { alternative: "greater" }).pValue).toBe(1);
    // the roles of the samples do not matter to a two-sided test
    close(mannWhitneyU(b, a).pValue, 0.001098901098901099);
  });

  it("normal approximation with continuity correction", () => {
    const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12], { method: "asymptotic" });
    close(r.pValue, 0.11134688653314041, 1e-10);
  });

  it("tie correction (per-interval error rates: many zeros)", () => {
    const x = [0, 0, 0, 0.01, 0, 0, 0.02, 0, 0, 0];
    const y = [0, 0.01, 0.02, 0.03, 0.01, 0, 0.05, 0.02, 0.04, 0.01];
    const two = mannWhitneyU(x, y);
    expect(two.method).toBe("asymptotic");
    expect(two.u1).toBe(17.5);
    close(two.pValue, 0.00931493537267703, 1e-10);
    close(mannWhitneyU(x, y, { alternative: "less" }).pValue, 0.004657467686338515, 1e-10);
    close(mannWhitneyU(x, y, { alternative: "greater" }).pValue, 0.9963357108544845, 1e-10);
  });

  it("larger samples (30 vs 25, normal approximation)", () => {
    // c ~ N(1.0, 0.2), d ~ N(1.15, 0.2), numpy default_rng(7), rounded to 3 decimals
    const c = [
      1.0, 1.06, 0.945, 0.822, 0.909, 0.802, 1.012, 1.268, 0.902, 0.876, 1.098, 1.071, 1.021, 0.814, 0.994,
      1.139, 0.731, 0.908, 0.62, 0.742, 0.632, 0.953, 0.747, 1.054, 1.031, 0.963, 0.497, 0.892, 0.99, 1.023,
    ];
    const d = [
      0.844, 1.054, 0.954, 0.988, 1.362, 0.988, 1.143, 1.327, 1.033, 1.128, 1.172, 1.163, 0.905, 1.165, 1.422,
      0.841, 1.322, 1.174, 1.022, 1.55, 1.302, 0.91, 1.165, 1.265, 1.112,
    ];
    const r = mannWhitneyU(c, d);
    expect(r.u1).toBe(146.5);
    close(r.pValue, 0.00011615043723122601, 1e-9);
    const g = mannWhitneyU(d, c, { alternative: "greater" });
    expect(g.u1).toBe(603.5);
    close(g.pValue, 5.807521861561301e-5, 1e-9);
  });

  it("identical values everywhere give p = 1, not NaN", () => {
    expect(mannWhitneyU([0, 0, 0, 0], [0, 0, 0, 0, 0]).pValue).toBe(1);
  });

  it("rejects empty samples", () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
  });

  it("average ranks and tie groups", () => {
    expect(averageRanks([10, 20, 10, 30, 20, 20])).toEqual({
      ranks: [1.5, 4, 1.5, 6, 4, 4],
      ties: [2, 3, 1],
    });
  });
});

describe("chi-square test of homogeneity against scipy.stats.chi2_contingency(correction=False)", () => {
  it("no shift", () => {
    const r = chiSquareHomogeneity(
      [120, 95, 130, 88, 101, 110, 97, 105, 99, 115],
      [118, 99, 125, 91, 104, 108, 95, 111, 93, 117],
    );
    close(r.statistic, 0.7016206172201515);
    expect(r.dof).toBe(9);
    close(r.pValue, 0.9998711932572496, 1e-12);
  });

  it("a gross shift", () => {
    const r = chiSquareHomogeneity(
      [120, 95, 130, 88, 101, 110, 97, 105, 99, 115],
      [300, 10, 20, 5, 400, 30, 40, 50, 60, 70],
    );
    close(r.statistic, 586.6355914768648);
    // scipy: 1.545e-120; jstat's 1 - CDF bottoms out at 0 there
    expect(r.pValue).toBeLessThan(1e-12);
  });

  it("three categories, small counts", () => {
    const r = chiSquareHomogeneity([30, 12, 8], [22, 20, 9]);
    close(r.statistic, 3.280013308490816);
    expect(r.dof).toBe(2);
    close(r.pValue, 0.19397875150438088, 1e-10);
  });

  it("categories empty on both sides are dropped; one category is nothing to test", () => {
    expect(chiSquareHomogeneity([30, 0, 12, 8], [22, 0, 20, 9]).dof).toBe(2);
    expect(chiSquareHomogeneity([5, 0], [7, 0])).toMatchObject({ pValue: 1, dof: 0 });
    expect(chiSquareHomogeneity([0, 0], [3, 4])).toMatchObject({ pValue: 1, dof: 0 });
  });
});

describe("population stability index", () => {
  it("is 0 for identical shares and grows with the shift", () => {
    expect(populationStabilityIndex([100, 200, 300], [10, 20, 30])).toBeCloseTo(0, 3);
    // 10 balanced classes, 3 points of share moved from one class to another:
    // (0.07 - 0.1) ln(0.7) + (0.13 - 0.1) ln(1.3) = 0.01857 (plus a little from smoothing)
    const even = Array.from({ length: 10 }, () => 10_000);
    const moved = [...even];
    moved[0] = 7_000;
    moved[1] = 13_000;
    expect(populationStabilityIndex(even, moved)).toBeCloseTo(0.01857, 4);
  });

  it("matches the formula with half-count smoothing, and stays finite for a class seen on one side", () => {
    const e = [50, 30, 20, 0];
    const a = [20, 30, 40, 10];
    const pe = e.map((x) => (x + 0.5) / 102);
    const pa = a.map((x) => (x + 0.5) / 102);
    const expected = pe.reduce((s, p, i) => s + ((pa[i] ?? 0) - p) * Math.log((pa[i] ?? 0) / p), 0);
    close(populationStabilityIndex(e, a), expected, 1e-12);
    expect(Number.isFinite(expected)).toBe(true);
  });
});

describe("binomial test (one-sided) against scipy.stats.binomtest", () => {
  it("P(X >= k)", () => {
    // jstat's incomplete beta is good to ~1e-8 relative
    close(binomialTestGreater(12, 200, 0.05), 0.30024429664578084, 1e-7);
    close(binomialTestGreater(20, 200, 0.05), 0.0026645795498294435, 1e-7);
    close(binomialTestGreater(3, 10, 0.05), 0.011503557379296871, 1e-7);
    expect(binomialTestGreater(0, 50, 0.05)).toBe(1);
    expect(() => binomialTestGreater(3, 2, 0.1)).toThrow(RangeError);
  });
});

describe("distribution functions", () => {
  it("normal and chi-square survival functions", () => {
    close(normalSf(2.5), 0.006209665325776132, 1e-12);
    close(normalSf(-1), 1 - 0.15865525393145707, 1e-12);
    expect(normalSf(Number.POSITIVE_INFINITY)).toBe(0);
    close(chiSquareSf(16.92, 9), 0.04998360638750561, 1e-10);
    expect(chiSquareSf(0, 3)).toBe(1);
  });
});
