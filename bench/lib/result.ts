import type { ModelKey, Ratio, RawPoint, Row } from "./report.js";
import type { Round } from "./rounds.js";
import type { ColdStartResult, TensorResult } from "./tensor-report.js";

/** Everything one run measured (bench/results/latest.json); `--from` re-renders it. */
export type BenchResult = {
  date: string;
  machine: string;
  cpus: number;
  loadavg: { before: number[]; after: number[] };
  server: string;
  seconds: number;
  warmupSeconds: number;
  /** Unmeasured start-up of each point's load generator (load-worker.ts; absent in runs before it: 0). */
  settleSeconds?: number;
  /** Distinct request bodies the connections cycle through (absent in runs before they did: 1). */
  bodies?: number;
  serverCpus: string | undefined;
  loadCpus: string | undefined;
  concurrencies: number[];
  models: Partial<Record<ModelKey, string>>;
  rows: Row[];
  raw: Partial<Record<ModelKey, RawPoint[]>>;
  /** Raw ORT of the canary/shadow candidate (digits v1): the shadow's extra inference work. */
  rawCandidate?: RawPoint[];
  /** Large tensors over each protocol beside raw ORT (issue #25; the median round per protocol). */
  tensors?: TensorResult;
  /** Cold starts of a ~100 MB artifact from the local S3 API, one per round (issue #25). */
  coldStart?: ColdStartResult;
  /** Every pass over the targets (rows, raw, rawCandidate above summarise them; see rounds.ts). */
  rounds?: Round[];
  ratios?: Ratio[];
};
