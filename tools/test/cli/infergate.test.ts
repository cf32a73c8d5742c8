import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { infergate } from "../support/cli.js";

/**
 * The one `infergate` command line: an overview listing every subcommand, `--help` on each, and
 * the same one-line usage error (exit 2) for a bad flag or an unknown command, whatever the tool.
 */
const NAMES = COMMANDS.map((c) => c.name);

describe("infergate (real process)", () => {
  it("lists every subcommand with its summary on --help (exit 0), and on no arguments (exit 2)", async () => {
    const [help, bare] = await Promise.all([infergate(["--help"]), infergate([])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: infergate <command> \[options\]\n/);
    const lines = help.stdout.split("\n");
    for (const c of COMMANDS) {
      const line = lines.find((l) => l.startsWith(`  ${c.name}  `));
      expect(line?.trim().endsWith(c.summary), `${c.name} in ${help.stdout}`).toBe(true);
    }
    expect(NAMES).toEqual(
      expect.arrayContaining([
        "serve",
        "model init",
        "publish",
        "gate accuracy",
        "gate load",
        "canary evaluate",
        "canary serve",
        "rehearse",
      ]),
    );
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe(help.stdout);
  });

  it.each(NAMES)("prints the usage of %s on --help and exits 0", async (name) => {
    const r = await infergate([...name.split(" "), "--help"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: infergate ${name}\\b`));
    expect(r.stderr).toBe("");
  });

  it.each(NAMES)("refuses a bad flag to %s with one usage line and exit 2", async (name) => {
    const r = await infergate([...name.split(" "), "--no-such-flag"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(
        `^infergate ${name}: Unknown option '--no-such-flag'.* \\(run "infergate ${name} --help"\\)\\n$`,
      ),
    );
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("refuses an unknown command in one line (exit 2)", async () => {
    const r = await infergate(["model", "frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('infergate: unknown command "model frobnicate" (run "infergate --help")\n');
  });
});
