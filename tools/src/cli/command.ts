/**
 * The one shape of every `infergate` subcommand. A tool folder exports one `Command` from its
 * `command.ts`; the CLI (main.ts) finds it by name, prints its help, parses nothing itself and
 * maps what it throws to exit codes, so every subcommand behaves alike at the edges.
 */
export type Command = {
  /** The words after `infergate`, e.g. "gate accuracy". */
  readonly name: string;
  /** One line for `infergate --help`. */
  readonly summary: string;
  /** The whole usage text, printed by `infergate <name> --help`. */
  readonly help: string;
  /**
   * Runs with the arguments after the name and resolves with the exit code. Bad use throws a
   * UsageError (exit 2, one line); other known failures are mapped by `exitCodeOf`.
   */
  run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number>;
  /** The exit code of a failure this command knows; anything else exits 2 with its stack. */
  exitCodeOf?(err: unknown): number | undefined;
};
