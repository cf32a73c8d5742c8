/**
 * What the load workers (load-worker.ts, tensor-load-worker.ts) share with load.ts: the first
 * `settleSeconds` are not measured; when the measured window opens the worker prints `start`
 * (load.ts samples the server's and the machine's CPU time from there), and at the end one JSON
 * line with the window's result and the worker's own CPU time over it.
 */
export class MeasuredWindow {
  /** Whether the window is open: answers before it are start-up, not measured. */
  measuring = false;
  private start = 0;
  private cpu0 = process.cpuUsage();

  constructor(settleSeconds: number) {
    setTimeout(() => {
      this.measuring = true;
      this.start = performance.now();
      this.cpu0 = process.cpuUsage();
      process.stdout.write("start\n");
    }, settleSeconds * 1000);
  }

  /**
   * Prints the result line: throughput and exact percentiles from the response times (ms) of the
   * window's successful answers (sorted here, in place), and the failures as counted.
   */
  report(latencies: Float64Array, failures: { non2xx: number; errors: number; timeouts: number }): void {
    const seconds = (performance.now() - this.start) / 1000;
    const u = process.cpuUsage(this.cpu0);
    const sorted = latencies.sort();
    const n = sorted.length;
    const pct = (p: number) => (n ? (sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)] as number) : 0);
    process.stdout.write(
      `${JSON.stringify({
        rps: n / seconds,
        p50: pct(50),
        p90: pct(90),
        p99: pct(99),
        max: n ? (sorted[n - 1] as number) : 0,
        ok: n,
        ...failures,
        seconds,
        loadCpuMs: (u.user + u.system) / 1000,
      })}\n`,
    );
  }
}
