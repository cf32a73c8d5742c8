/**
 * Classification metrics with the exact formulas and summation order of models/train.py
 * (see models/README.md), so the values reproduce a manifest's `metrics` bit for bit.
 */
export type ClassificationMetrics = Readonly<{
  rows: number;
  correct: number;
  accuracy: number;
  macroF1: number;
  /** Per class index: tp / (tp + fn), 0 when the class has no rows (as train.py). */
  recall: readonly number[];
  f1: readonly number[];
  /** Rows whose true class is c. */
  support: readonly number[];
  /** confusion[true][predicted] row counts. */
  confusion: readonly (readonly number[])[];
}>;

export function confusionMatrix(truth: Int32Array, predicted: Int32Array, classes: number): number[][] {
  if (truth.length !== predicted.length) throw new Error("truth and predictions differ in length");
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const row = m[truth[i] as number];
    const p = predicted[i] as number;
    if (!row || p < 0 || p >= classes) throw new Error(`row ${i}: class index outside 0..${classes - 1}`);
    row[p] = (row[p] as number) + 1;
  }
  return m;
}

export function classificationMetrics(confusion: readonly (readonly number[])[]): ClassificationMetrics {
  const k = confusion.length;
  const at = (t: number, p: number) => confusion[t]?.[p] ?? 0;
  let rows = 0;
  let correct = 0;
  const recall: number[] = [];
  const f1: number[] = [];
  const support: number[] = [];
  // Same order as train.py: integer counts, then one float64 division each, f1 summed 0..k-1.
  let f1Sum = 0;
  for (let c = 0; c < k; c++) {
    let fn = 0;
    let fp = 0;
    for (let o = 0; o < k; o++) {
      rows += at(c, o);
      if (o !== c) {
        fn += at(c, o);
        fp += at(o, c);
      }
    }
    const tp = at(c, c);
    correct += tp;
    support.push(tp + fn);
    recall.push(tp + fn ? tp / (tp + fn) : 0);
    const f = 2 * tp + fp + fn ? (2 * tp) / (2 * tp + fp + fn) : 0;
    f1.push(f);
    f1Sum += f;
  }
  return {
    rows,
    correct,
    accuracy: rows ? correct / rows : 0,
    macroF1: k ? f1Sum / k : 0,
    recall,
    f1,
    support,
    confusion,
  };
}

/**
 * Python's `round(x, decimals)`: the exact binary value of `x` rounded to `decimals` places,
 * ties to even, then the nearest double. `toFixed` differs only on exact ties (it rounds them up),
 * which for 6 places means odd multiples of 1/128 — possible for a macro-F1 — so this works on
 * the exact value with BigInt instead of trusting toFixed.
 */
export function roundHalfEven(x: number, decimals: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // |x| = mantissa · 2^exponent exactly (subnormals have no implicit leading 1).
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  const scaled = mantissa * 10n ** BigInt(decimals);
  let n: bigint;
  if (exponent >= 0) n = scaled << BigInt(exponent);
  else {
    const den = 1n << BigInt(-exponent);
    n = scaled / den;
    const twice = 2n * (scaled % den);
    if (twice > den || (twice === den && n % 2n === 1n)) n += 1n;
  }
  return Number(`${negative ? "-" : ""}${n}e-${decimals}`);
}

/** The manifest form of metrics: rounded, per-class values keyed by label name. */
export function manifestMetrics(m: ClassificationMetrics, labels: readonly string[], decimals = 6) {
  return {
    rows: m.rows,
    accuracy: roundHalfEven(m.accuracy, decimals),
    macro_f1: roundHalfEven(m.macroF1, decimals),
    per_class_recall: Object.fromEntries(
      labels.map((label, c) => [label, roundHalfEven(m.recall[c] ?? 0, decimals)]),
    ),
  };
}
