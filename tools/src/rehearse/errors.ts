/**
 * Why a rehearsal ended without an outcome of its own. Both exit 2 ("could not run"): a part it
 * needs did not start or a command it runs failed in a way no gate decides (exit 2 of a gate, a
 * crash), so nothing can be said about the candidate. Ctrl-C is `RehearsalInterrupted`.
 */
export class RehearsalError extends Error {
  override name = "RehearsalError";
}

/** SIGINT or SIGTERM arrived: everything started is being stopped. */
export class RehearsalInterrupted extends Error {
  override name = "RehearsalInterrupted";
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}
