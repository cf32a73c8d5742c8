import jStat from "jstat";

/**
 * The statistics behind the canary verdict: Mann-Whitney U for per-interval samples, a
 * chi-square test of homogeneity and the population stability index for class distributions,
 * and a one-sided binomial test for shadow disagreement. Distribution functions come from
 * jstat; the tests themselves follow the textbook definitions (and scipy's conventions, so
 * their results can be checked against scipy.stats).
 */

export type Alternative = "two-sided" | "greater" | "less";

/** P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  if (z === Number.POSITIVE_INFINITY) return 0;
  if (z === Number.NEGATIVE_INFINITY) return 1;
  return jStat.normal.cdf(-z, 0, 1);
}

/** P(X > x) for X chi-square distributed with `dof` degrees of freedom. */
export function chiSquareSf(x: number, dof: number): number {
  if (!(x > 0)) return 1;
  return Math.min(1, Math.max(0, 1 - jStat.chisquare.cdf(x, dof)));
}

/** Average ranks (1-based; ties share the mean of their ranks) and the size of each tie group. */
export function averageRanks(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length).fill(0);
  const ties: number[] = [];
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j++;
    const rank = (i + j + 2) / 2; // mean of the 1-based ranks i+1 .. j+1
    for (let k = i; k <= j; k++) ranks[order[k]?.[1] ?? 0] = rank;
    ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/**
 * Number of arrangements giving each value of U (0..n1*n2) for samples of sizes n1 and n2 without
 * ties: the exact null distribution of the Mann-Whitney statistic, by the classic recurrence
 * f(n1, n2, u) = f(n1 - 1, n2, u - n2) + f(n1, n2 - 1, u). Counts are floats: exact up to 2^53,
 * which covers every sample size this is used for (min(n1, n2) <= 8).
 */
function uFrequencies(m: number, n: number): number[] {
  // The distribution is symmetric in the two sizes: iterate over the smaller one.
  const [n1, n2] = m <= n ? [m, n] : [n, m];
  // table[a][b] = frequencies for sizes (a, b), built up row by row over a.
  let prev: number[][] = []; // sizes (a - 1, *)
  for (let a = 0; a <= n1; a++) {
    const row: number[][] = [];
    for (let b = 0; b <= n2; b++) {
      const f = new Array<number>(a * b + 1).fill(0);
      if (a === 0 || b === 0) f[0] = 1;
      else {
        const left = prev[b] ?? []; // (a - 1, b): the largest value is in sample 1, adds b
        const down = row[b - 1] ?? []; // (a, b - 1): the largest value is in sample 2, adds 0
        for (let u = 0; u < left.length; u++) f[u + b] = (f[u + b] ?? 0) + (left[u] ?? 0);
        for (let u = 0; u < down.length; u++) f[u] = (f[u] ?? 0) + (down[u] ?? 0);
      }
      row.push(f);
    }
    prev = row;
  }
  return prev[n2] ?? [1];
}

export type MannWhitneyResult = {
  /** U of the first sample (scipy's `statistic`). */
  u1: number;
  u2: number;
  pValue: number;
  method: "exact" | "asymptotic";
  /** Standardized statistic of the asymptotic test (undefined for the exact test). */
  z?: number;
};

/**
 * Mann-Whitney U test (Wilcoxon rank-sum) of x against y. `greater`: x tends to be larger than y.
 * Method as scipy.stats.mannwhitneyu(method="auto"): the exact distribution when a sample has at
 * most 8 values and there are no ties, else the normal approximation with tie correction and
 * continuity correction.
 */
export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  options: { alternative?: Alternative; method?: "auto" | "exact" | "asymptotic" } = {},
): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError("mannWhitneyU needs two non-empty samples");
  const alternative = options.alternative ?? "two-sided";
  const { ranks, ties } = averageRanks([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i] ?? 0;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const [u, factor] =
    alternative === "greater" ? [u1, 1] : alternative === "less" ? [u2, 1] : [Math.max(u1, u2), 2];
  const hasTies = ties.some((t) => t > 1);
  const method =
    options.method === undefined || options.method === "auto"
      ? (n1 <= 8 || n2 <= 8) && !hasTies
        ? "exact"
        : "asymptotic"
      : options.method;
  if (method === "exact") {
    const f = uFrequencies(n1, n2);
    const total = f.reduce((a, b) => a + b, 0);
    let tail = 0; // P(U >= u)
    for (let k = Math.ceil(u); k < f.length; k++) tail += f[k] ?? 0;
    return { u1, u2, pValue: Math.min(1, (factor * tail) / total), method };
  }
  const n = n1 + n2;
  const tieTerm = ties.reduce((s, t) => s + t ** 3 - t, 0);
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = (u - (n1 * n2) / 2 - 0.5) / sigma; // always the upper tail: continuity correction subtracts
  const p = sigma > 0 ? factor * normalSf(z) : 1;
  return { u1, u2, pValue: Math.min(1, Math.max(0, p)), method, z };
}

export type ChiSquareResult = { statistic: number; dof: number; pValue: number; categories: number };

/**
 * Chi-square test of homogeneity for two count vectors over the same categories (a 2 x K
 * contingency table, no continuity correction: scipy.stats.chi2_contingency(correction=False)).
 * Categories empty in both rows are dropped; with fewer than two left there is nothing to test.
 */
export function chiSquareHomogeneity(a: readonly number[], b: readonly number[]): ChiSquareResult {
  if (a.length !== b.length) throw new RangeError("chiSquareHomogeneity needs count vectors of one length");
  const cols = a.map((x, i) => [x, b[i] ?? 0] as const).filter(([x, y]) => x + y > 0);
  const na = cols.reduce((s, [x]) => s + x, 0);
  const nb = cols.reduce((s, [, y]) => s + y, 0);
  const n = na + nb;
  if (cols.length < 2 || na === 0 || nb === 0)
    return { statistic: 0, dof: 0, pValue: 1, categories: cols.length };
  let statistic = 0;
  for (const [x, y] of cols) {
    const col = x + y;
    const ea = (na * col) / n;
    const eb = (nb * col) / n;
    statistic += (x - ea) ** 2 / ea + (y - eb) ** 2 / eb;
  }
  const dof = cols.length - 1;
  return { statistic, dof, pValue: chiSquareSf(statistic, dof), categories: cols.length };
}

/**
 * Population stability index of `actual` against `expected` (count vectors over the same
 * categories): sum((a_i - e_i) * ln(a_i / e_i)) over the category shares. Every category gets
 * half a count added first, so a category seen on one side only contributes a finite amount.
 * Rule of thumb: < 0.1 no real shift, 0.1-0.25 moderate, > 0.25 major.
 */
export function populationStabilityIndex(expected: readonly number[], actual: readonly number[]): number {
  if (expected.length !== actual.length) throw new RangeError("PSI needs count vectors of one length");
  const keep = expected.map((e, i) => [e, actual[i] ?? 0] as const).filter(([e, a]) => e + a > 0);
  if (keep.length === 0) return 0;
  const smooth = 0.5;
  const te = keep.reduce((s, [e]) => s + e + smooth, 0);
  const ta = keep.reduce((s, [, a]) => s + a + smooth, 0);
  let psi = 0;
  for (const [e, a] of keep) {
    const pe = (e + smooth) / te;
    const pa = (a + smooth) / ta;
    psi += (pa - pe) * Math.log(pa / pe);
  }
  return psi;
}

/**
 * One-sided exact binomial test: P(X >= k) for X ~ Binomial(n, p0), the p-value of
 * "the true rate exceeds p0" (scipy.stats.binomtest(k, n, p0, alternative="greater")).
 */
export function binomialTestGreater(k: number, n: number, p0: number): number {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) {
    throw new RangeError(`binomialTestGreater needs integers 0 <= k <= n, got k=${k} n=${n}`);
  }
  if (k === 0) return 1;
  if (p0 <= 0) return 0;
  if (p0 >= 1) return 1;
  // P(X >= k) = I_p0(k, n - k + 1)
  return Math.min(1, Math.max(0, jStat.ibeta(p0, k, n - k + 1)));
}

/** Arithmetic mean (NaN for an empty list). */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
