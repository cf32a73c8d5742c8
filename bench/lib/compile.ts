import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { TSX } from "./processes.js";

/** How the bench runs one of its TypeScript entry points (the server, a baseline, the load generator). */
export type Scripts = {
  /** The command running `entry` (a .ts path from the repository root). */
  argv: (entry: string) => string[];
  /** How the server under test runs, for the report. */
  how: string;
};

const OUT_DIR = "bench/results/dist";
/** The server under test's entry point. */
export const SERVER_ENTRY = "service/src/main.ts";

/**
 * Every process the bench measures or measures with runs as compiled JavaScript: tsx adds its
 * own loader thread and wrappers, and the load generator under tsx showed twice the p99 (about
 * 28 ms against 14 ms) of the same code compiled, on the same server. service/src, the baseline
 * servers, raw ORT and the load generator (tsconfig.bench.json) are compiled on every run,
 * incrementally, to bench/results/dist (git-ignored; node resolves node_modules and the bundled
 * models/repository from there). tsc still emits when the tree has type errors (a colleague's work
 * in progress); only an entry point it emitted nothing for runs under tsx, and the log says so.
 */
export function compileBench(log: (line: string) => void): Scripts {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  log(`compiling service/src and the bench's processes to ${OUT_DIR} (tsc, incremental)`);
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      "-p",
      "tsconfig.bench.json",
      "--outDir",
      OUT_DIR,
      "--incremental",
      "--tsBuildInfoFile",
      `${OUT_DIR}/.tsbuildinfo`,
    ],
    { encoding: "utf8" },
  );
  const errors = (r.stdout.match(/error TS\d+/g) ?? []).length;
  if (errors) log(`tsc reported ${errors} type error(s); measuring the JavaScript it emitted`);
  const compiled = (entry: string) => `${OUT_DIR}/${entry.replace(/\.ts$/, ".js")}`;
  // Resolved once per entry: the load generator is started at every point of the run.
  const resolved = new Map<string, string[]>();
  const argv = (entry: string) => {
    let cmd = resolved.get(entry);
    if (!cmd) {
      if (existsSync(compiled(entry))) cmd = [process.execPath, compiled(entry)];
      else {
        log(
          `tsc emitted no ${compiled(entry)} (exit ${r.status}): running ${entry} under tsx\n${r.stdout.slice(0, 2000)}`,
        );
        cmd = [...TSX, entry];
      }
      resolved.set(entry, cmd);
    }
    return cmd;
  };
  const how = existsSync(compiled(SERVER_ENTRY))
    ? `compiled JS (tsc → ${OUT_DIR}${errors ? `, ${errors} type errors in the tree` : ""})`
    : "tsx (the compile failed)";
  return { argv, how };
}
