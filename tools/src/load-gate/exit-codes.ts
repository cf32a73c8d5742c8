/** The load gate's exit status, and how k6's exit status maps onto it. */

export const EXIT_PASS = 0;
export const EXIT_GATE_FAILED = 1;
export const EXIT_ERROR = 2;
/** k6's exit code when thresholds were crossed (ThresholdsHaveFailed). */
export const K6_THRESHOLDS_FAILED = 99;

/** k6's exit code → the gate's. */
export function gateExitCode(k6Code: number | null, reportPassed: boolean | undefined): number {
  if (k6Code === K6_THRESHOLDS_FAILED) return EXIT_GATE_FAILED;
  if (k6Code !== 0) return EXIT_ERROR;
  if (reportPassed === undefined) return EXIT_ERROR;
  // k6 does not evaluate a threshold whose metric got no samples; the report counts it as failed.
  return reportPassed ? EXIT_PASS : EXIT_GATE_FAILED;
}
