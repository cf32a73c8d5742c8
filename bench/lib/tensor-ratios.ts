import type { Ratio } from "./report.js";
import type { BenchResult } from "./result.js";
import { medianColdStart } from "./tensor-report.js";

const div = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? a / b : undefined);

/**
 * Issue #25: large tensors at one connection (time per request = 1 / req/s) against raw ORT's time
 * per run on the same batch, and a cold start's time to ready against the plain download.
 */
export function tensorRatios(res: BenchResult): Ratio[] {
  const at = (p: string) => res.tensors?.rows.find((r) => r.protocol === p)?.rps;
  const rawMs = res.tensors?.raw[0]?.msPerRun;
  const perRequest = (p: string) => {
    const rps = at(p);
    return rps && rawMs ? 1000 / rps / rawMs : undefined;
  };
  const batch = res.tensors?.raw[0]?.batch ?? "?";
  const cold = res.coldStart ? medianColdStart(res.coldStart.rounds) : undefined;
  return [
    {
      label: "large tensors c=1: binary tensor data / JSON req/s",
      value: div(at("binary"), at("json")),
      unit: "×",
      min: 5,
    },
    {
      label: `large tensors c=1: binary time per request / raw ORT time per run (batch ${batch})`,
      value: perRequest("binary"),
      unit: "×",
      max: 1.3,
    },
    {
      label: `large tensors c=1: gRPC time per request / raw ORT time per run (batch ${batch})`,
      value: perRequest("grpc"),
      unit: "×",
    },
    {
      label: `large tensors c=1: JSON time per request / raw ORT time per run (batch ${batch})`,
      value: perRequest("json"),
      unit: "×",
    },
    {
      // The best the binary ratio can be: raw ORT plus moving the same body over bare HTTP.
      label:
        "ceiling of large tensors binary / raw ORT: (bare node:http reading the body + raw ORT) / raw ORT",
      value: perRequest("floor") === undefined ? undefined : (perRequest("floor") as number) + 1,
      unit: "×",
    },
    {
      label: "cold start, ~100 MB artifact from local S3: ready − download time",
      value: cold ? cold.readyMs - cold.downloadMs : undefined,
      unit: "ms",
      max: 2000,
    },
  ];
}
