import { parseArgs } from "node:util";

/** `npm run bench` options after validation; `help` asks for the usage text only. */
export type BenchOptions = {
  help: boolean;
  quick: boolean;
  seconds: number;
  concurrencies: number[];
  only: RegExp | undefined;
  out: string;
  from: string | undefined;
  serverEnv: Record<string, string>;
  retries: number;
  rounds: number;
};

/** A bad command line: printed with the usage hint, exit code 2. */
export class BenchUsageError extends Error {
  override name = "BenchUsageError";
}

export const USAGE = `Usage: npm run bench -- [options]

Measures infergate against its baselines and peers in one run, on loopback (see bench/RESULTS.md).

  --quick                  c=64, small model, 1 round, short warm-up (about half a minute)
  --seconds <n>            seconds per point (default 3)
  --connections <list>     concurrencies, e.g. 1,8,64 (default 1,8,64; --quick: 64)
  --rounds <n>             passes over all targets; ratios are medians over them (default 5; --quick 1)
  --retries <n>            re-measure a point up to n times while other processes used > 0.2 cores (default 2)
  --only <regex>           points to run, by id: small/echo, large/infergate-on, large/raw-ort,
                           tensors/small_conv, cold-start/big_mlp, ... (a quick run has the last two only when named)
  --server-env KEY=VALUE   extra environment for infergate only (repeatable), e.g. INFERGATE_MAX_BATCH_SIZE=64
  --out <dir>              where latest.json, latest.md and throughput.svg go (default bench/results)
  --from <file>            re-render a run's JSON (e.g. bench/RESULTS.json) into --out, measuring nothing
  -h, --help               this text

The targets and PASS/MISS verdicts are for the default run; a MISS does not fail the command.`;

const positiveInt = (name: string, raw: string, min: number): number => {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new BenchUsageError(`--${name} must be a whole number ≥ ${min}, got "${raw}"`);
  }
  return n;
};

const OPTIONS = {
  help: { type: "boolean", short: "h", default: false },
  seconds: { type: "string" },
  quick: { type: "boolean", default: false },
  only: { type: "string" },
  out: { type: "string", default: "bench/results" },
  from: { type: "string" },
  connections: { type: "string" },
  "server-env": { type: "string", multiple: true, default: [] as string[] },
  retries: { type: "string", default: "2" },
  rounds: { type: "string" },
} as const;

function parseRaw(argv: string[]) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options: OPTIONS }).values;
  } catch (err) {
    throw new BenchUsageError((err as Error).message);
  }
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const values = parseRaw(argv);
  const quick = values.quick === true;
  const seconds = Number(values.seconds ?? 3);
  if (!(Number.isFinite(seconds) && seconds > 0)) {
    throw new BenchUsageError(`--seconds must be a positive number, got "${values.seconds}"`);
  }
  const concurrencies = values.connections
    ? values.connections.split(",").map((c) => positiveInt("connections", c, 1))
    : quick
      ? [64]
      : [1, 8, 64];
  let only: RegExp | undefined;
  try {
    only = values.only ? new RegExp(values.only, "i") : undefined;
  } catch (err) {
    throw new BenchUsageError(`--only: ${(err as Error).message}`);
  }
  const serverEnv: Record<string, string> = {};
  for (const kv of values["server-env"]) {
    const i = kv.indexOf("=");
    if (i < 1) throw new BenchUsageError(`--server-env wants KEY=VALUE, got "${kv}"`);
    serverEnv[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return {
    help: values.help === true,
    quick,
    seconds,
    concurrencies,
    only,
    out: values.out,
    from: values.from,
    serverEnv,
    retries: positiveInt("retries", values.retries, 0),
    rounds: positiveInt("rounds", values.rounds ?? (quick ? "1" : "5"), 1),
  };
}
