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
import type { Command } from "../cli/command.js";
import { RunError } from "./errors.js";
import { EXIT_ERROR } from "./exit-codes.js";
import { parseGateArgs, USAGE } from "./options.js";
import { installSignalHandlers, interrupted } from "./processes.js";
import { runGate } from "./run-gate.js";

export const command: Command = {
  name: "gate load",
  summary: "k6 load gate: start the build under test, drive it, exit 0 pass, 1 fail",
  help: USAGE,
  run: async (argv) => {
    const opts = parseGateArgs([...argv]);
    installSignalHandlers();
    try {
      return await runGate(opts);
    } finally {
      // Interrupted: the signal handler stops the service and k6, then exits 130/143 itself.
      if (interrupted()) await new Promise<never>(() => {});
    }
  },
  exitCodeOf: (err) => (err instanceof RunError ? EXIT_ERROR : undefined),
};
