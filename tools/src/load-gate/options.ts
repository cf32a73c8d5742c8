/** The load gate's command line: options, their validation and the usage text. */
import { parseOptions } from "../cli/args.js";
import { UsageError } from "./errors.js";

const STAGES = ["smoke", "load", "stress"] as const;
export type Stage = (typeof STAGES)[number];

export const USAGE = `usage: infergate gate load [options]

Runs the k6 load gate (loadtest/<stage>.js) against the service started from this checkout.

Stage and target
  --stage <smoke|load|stress>   k6 script to run (default: load)
  --model <name>                model to load and call (default: digits, or the candidate manifest's name)
  --candidate <dir>             candidate model: one version directory (manifest.json + model.onnx)
                                or a repository root (<model>/<version>/manifest.json)
  --model-repository <uri>      repository to serve instead: file:///abs/path, /abs/path or s3://bucket/prefix
  --version-policy <policy>     INFERGATE_VERSION_POLICY for the service (default: latest:1)
  --built                       run the compiled dist/service/src/main.js (npm run build first)
  --base-url <url>              test a service that is already running; start nothing
  --server-env KEY=VALUE        extra environment for the service (repeatable)
  --data <file.jsonl>           request rows (default: models/repository/<model>/validation.jsonl)

Load shape (defaults per stage in loadtest/stages.json)
  --duration <d>                e.g. 30s, 2m
  --rate <n>                    arrival rate, requests/s (load, stress)
  --peak-rate <n>               spike rate, requests/s (stress)
  --vus <n>                     virtual users (smoke)
  --batch <n>                   rows per request (default: 1)

Thresholds (defaults per stage in loadtest/stages.json; environment P95_MS etc. also apply)
  --p95-ms <ms>  --p99-ms <ms>  --max-error-rate <fraction>  --min-rps <n>

Output and limits
  --summary-dir <dir>           where summary.json, summary.md, k6-data.json and server.log go
                                (default: loadtest/results/<stage>)
  --k6 <path>                   k6 binary (default: $K6_BIN or .tools/bin/k6, see scripts/tools.sh)
  --ready-timeout <seconds>     how long the service may take to become ready (default: 90)

Exit status: 0 pass, 1 gate failed (a threshold was crossed), 2 usage or run error.`;

export type GateOptions = {
  stage: Stage;
  model: string | undefined;
  candidate: string | undefined;
  modelRepository: string | undefined;
  versionPolicy: string;
  built: boolean;
  baseUrl: string | undefined;
  serverEnv: Record<string, string>;
  data: string | undefined;
  duration: string | undefined;
  rate: number | undefined;
  peakRate: number | undefined;
  vus: number | undefined;
  batch: number | undefined;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
  maxErrorRate: number | undefined;
  minRps: number | undefined;
  summaryDir: string | undefined;
  k6: string | undefined;
  readyTimeoutMs: number;
};

function positive(name: string, raw: string | undefined, { integer = false, allowZero = false } = {}) {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  const ok = Number.isFinite(v) && (allowZero ? v >= 0 : v > 0) && (!integer || Number.isInteger(v));
  if (raw.trim() === "" || !ok) {
    throw new UsageError(
      `--${name} ${raw}: expected a ${integer ? "whole " : ""}number ${allowZero ? ">= 0" : "> 0"}`,
    );
  }
  return v;
}

/** "1m30s" | "30s" | "500ms" → milliseconds (the subset k6 and loadtest/lib/config.js accept). */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (unit[m[2] as string] as number);
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new UsageError(`invalid duration "${text}" (use e.g. 500ms, 30s, 2m, 1m30s)`);
  }
  return total;
}

const OPTIONS = {
  stage: { type: "string", default: "load" },
  model: { type: "string" },
  candidate: { type: "string" },
  "model-repository": { type: "string" },
  "version-policy": { type: "string", default: "latest:1" },
  built: { type: "boolean", default: false },
  "base-url": { type: "string" },
  "server-env": { type: "string", multiple: true, default: [] as string[] },
  data: { type: "string" },
  duration: { type: "string" },
  rate: { type: "string" },
  "peak-rate": { type: "string" },
  vus: { type: "string" },
  batch: { type: "string" },
  "p95-ms": { type: "string" },
  "p99-ms": { type: "string" },
  "max-error-rate": { type: "string" },
  "min-rps": { type: "string" },
  "summary-dir": { type: "string" },
  k6: { type: "string" },
  "ready-timeout": { type: "string", default: "90" },
} as const;

export function parseGateArgs(argv: string[]): GateOptions {
  const values = parseOptions(argv, OPTIONS);
  const stage = values.stage as string;
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw new UsageError(`--stage ${stage}: expected one of ${STAGES.join(", ")}`);
  }
  if (values.candidate !== undefined && values["model-repository"] !== undefined) {
    throw new UsageError("--candidate and --model-repository are alternatives; give one");
  }
  if (
    values["base-url"] !== undefined &&
    (values.candidate !== undefined || values["model-repository"] !== undefined || values.built)
  ) {
    throw new UsageError(
      "--base-url tests a running service; it cannot be combined with --candidate, --model-repository or --built",
    );
  }
  if (values["base-url"] !== undefined && !/^https?:\/\/[^/]+/.test(values["base-url"])) {
    throw new UsageError(`--base-url ${values["base-url"]}: expected http(s)://host[:port]`);
  }
  if (values.duration !== undefined) parseDuration(values.duration);
  const serverEnv: Record<string, string> = {};
  for (const pair of values["server-env"] as string[]) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--server-env ${pair}: expected KEY=VALUE`);
    serverEnv[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const maxErrorRate = positive("max-error-rate", values["max-error-rate"], { allowZero: true });
  if (maxErrorRate !== undefined && maxErrorRate > 1) {
    throw new UsageError(`--max-error-rate ${maxErrorRate}: expected a fraction between 0 and 1`);
  }
  return {
    stage: stage as Stage,
    model: values.model,
    candidate: values.candidate,
    modelRepository: values["model-repository"],
    versionPolicy: values["version-policy"] as string,
    built: values.built as boolean,
    baseUrl: values["base-url"]?.replace(/\/+$/, ""),
    serverEnv,
    data: values.data,
    duration: values.duration,
    rate: positive("rate", values.rate, { integer: true }),
    peakRate: positive("peak-rate", values["peak-rate"], { integer: true }),
    vus: positive("vus", values.vus, { integer: true }),
    batch: positive("batch", values.batch, { integer: true }),
    p95Ms: positive("p95-ms", values["p95-ms"]),
    p99Ms: positive("p99-ms", values["p99-ms"]),
    maxErrorRate,
    minRps: positive("min-rps", values["min-rps"], { allowZero: true }),
    summaryDir: values["summary-dir"],
    k6: values.k6,
    readyTimeoutMs: (positive("ready-timeout", values["ready-timeout"]) as number) * 1000,
  };
}
