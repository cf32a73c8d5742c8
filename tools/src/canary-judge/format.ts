/** Numbers in reasons and tables: 4 significant digits, no exponent for everyday magnitudes. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return "0";
  const a = Math.abs(n);
  if (a >= 1e6 || a < 1e-4) return n.toExponential(2);
  return String(Number(n.toPrecision(4)));
}

/** p-values: 3 significant digits, "<1e-12" below what the distributions resolve. */
export function fmtP(p: number): string {
  if (p < 1e-12) return "<1e-12";
  if (p >= 0.001) return String(Number(p.toPrecision(3)));
  return p.toExponential(2);
}
