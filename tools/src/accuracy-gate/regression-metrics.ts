/**
 * Regression metrics, in float64 over every row: mean absolute error, root mean squared error and
 * the coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (scikit-learn's r2_score), so
 * a model as good as predicting the mean scores 0 and a perfect one 1.
 */
export type RegressionMetrics = Readonly<{
  rows: number;
  mae: number;
  rmse: number;
  r2: number;
}>;

export function regressionMetrics(targets: Float64Array, predictions: Float64Array): RegressionMetrics {
  const n = targets.length;
  if (n === 0 || predictions.length !== n)
    throw new Error("targets and predictions differ in length or are empty");
  let mean = 0;
  for (let i = 0; i < n; i++) mean += targets[i] as number;
  mean /= n;
  let absolute = 0;
  let squared = 0;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    const y = targets[i] as number;
    const error = y - (predictions[i] as number);
    absolute += Math.abs(error);
    squared += error * error;
    spread += (y - mean) * (y - mean);
  }
  // Constant targets are refused when the data is read (readRegressionDataset): spread > 0 here.
  return { rows: n, mae: absolute / n, rmse: Math.sqrt(squared / n), r2: 1 - squared / spread };
}
