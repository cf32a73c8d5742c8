import type { LoadResult } from "../../lib/load.js";
import type { ModelKey, Row } from "../../lib/report.js";

/** A measured point at 64 connections with the given req/s (other figures fixed). */
export function row(target: string, rps: number, round: number, p99 = 10, model: ModelKey = "small"): Row {
  const load: LoadResult = {
    rps,
    p50: 1,
    p90: 2,
    p99,
    max: 20,
    ok: rps,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    seconds: 1,
    cpu: { server: 1, load: 0.5, other: 0 },
  };
  return {
    model,
    target,
    name: target,
    pinned: true,
    connections: 64,
    rowsPerRequest: 1,
    round,
    ...load,
  };
}
