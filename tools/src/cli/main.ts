/**
 * `infergate`: one command line for the server and its tools (bin/infergate.js runs this). The
 * first words name a subcommand (commands.ts); `--help` works on each; a bad flag is one line
 * on stderr and exit 2; every other failure is mapped by the subcommand or exits 2 with its stack.
 */
import { UsageError } from "./args.js";
import type { Command } from "./command.js";
import { COMMANDS } from "./commands.js";

const HELP_FLAGS = new Set(["-h", "--help"]);

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: infergate <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nrun "infergate <command> --help" for a command's options\n`;
}

/** The subcommand whose name the arguments start with (the longest match), and what follows it. */
export function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of COMMANDS) {
    const words = command.name.split(" ");
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.command.name.split(" ").length))
      best = { command, rest: argv.slice(words.length) };
  }
  return best;
}

/** Runs `infergate <argv>` and resolves with the exit code (written output goes to stdout/stderr). */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv.length === 0 || HELP_FLAGS.has(argv[0] as string)) {
    process.stdout.write(overview());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    process.stderr.write(`infergate: unknown command "${argv.join(" ")}" (run "infergate --help")\n`);
    return 2;
  }
  const { command, rest } = found;
  if (rest.some((a) => HELP_FLAGS.has(a))) {
    process.stdout.write(`${command.help.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, env);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(
        `infergate ${command.name}: ${err.message} (run "infergate ${command.name} --help")\n`,
      );
      return 2;
    }
    const code = command.exitCodeOf?.(err);
    if (code === undefined) {
      process.stderr.write(
        `infergate ${command.name}: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`,
      );
      return 2;
    }
    process.stderr.write(`infergate ${command.name}: error: ${(err as Error).message}\n`);
    return code;
  }
}
