/**
 * `npm run gate:load`: the k6 load gate. Starts the service under test (the TypeScript source, or
 * the compiled build with --built) on a free 127.0.0.1 port with the candidate model, waits for
 * readiness, runs `k6 run loadtest/<stage>.js` against it, stops the service and exits with the
 * gate's verdict:
 *
 *   0  every threshold held
 *   1  the gate failed (k6 exit 99: a threshold was crossed)
 *   2  usage error, or the run could not be carried out (service did not start, k6 missing/crashed,
 *      no summary written, time limit hit)
 *
 * Every child process is stopped on every path (normal end, error, SIGINT/SIGTERM), and every
 * wait is bounded.
 *
 * The parts live in ./load-gate/: options.ts (command line), model-repository.ts and
 * service-under-test.ts (what is tested), k6-run.ts (the load), processes.ts (stopping children),
 * exit-codes.ts and run-gate.ts (one run, start to verdict).
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RunError, UsageError } from "./load-gate/errors.js";
import { EXIT_ERROR, EXIT_PASS } from "./load-gate/exit-codes.js";
import { type GateOptions, parseGateArgs, USAGE } from "./load-gate/options.js";
import { installSignalHandlers } from "./load-gate/processes.js";
import { runGate } from "./load-gate/run-gate.js";

async function main(argv: string[]): Promise<number> {
  let opts: GateOptions;
  try {
    opts = parseGateArgs(argv);
  } catch (err) {
    process.stderr.write(`gate:load: ${(err as Error).message}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_PASS;
  }
  installSignalHandlers();
  try {
    return await runGate(opts);
  } catch (err) {
    const prefix = err instanceof UsageError || err instanceof RunError ? "" : "unexpected: ";
    process.stderr.write(
      `gate:load: ${prefix}${err instanceof Error && prefix ? err.stack : (err as Error).message}\n`,
    );
    return EXIT_ERROR;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`gate:load: ${(err as Error).stack ?? err}\n`);
      process.exitCode = EXIT_ERROR;
    },
  );
}
