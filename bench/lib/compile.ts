import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { TSX } from "./processes.js";

/**
 * The server under test runs as compiled JavaScript (tsx would add its own wrappers on hot paths):
 * service/src is compiled on every run, incrementally, to bench/results/dist (git-ignored; node
 * resolves node_modules and the bundled models/repository from there). tsc still emits when the
 * tree has type errors (a colleague's work in progress); only if nothing was emitted does the
 * bench fall back to tsx, and it says so in the report.
 */
export function compileServer(log: (line: string) => void): { argv: string[]; how: string } {
  const outDir = "bench/results/dist";
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  log(`compiling service/src to ${outDir} (tsc, incremental)`);
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      "-p",
      "tsconfig.build.json",
      "--outDir",
      outDir,
      "--incremental",
      "--tsBuildInfoFile",
      `${outDir}/.tsbuildinfo`,
    ],
    { encoding: "utf8" },
  );
  const errors = (r.stdout.match(/error TS\d+/g) ?? []).length;
  const entry = `${outDir}/service/src/server.js`;
  if (existsSync(entry)) {
    if (errors)
      log(`tsc reported ${errors} type error(s) in service/src; measuring the JavaScript it emitted`);
    return {
      argv: [process.execPath, entry],
      how: `compiled JS (tsc → ${outDir}${errors ? `, ${errors} type errors in the tree` : ""})`,
    };
  }
  log(`tsc emitted no ${entry} (exit ${r.status}): using tsx\n${r.stdout.slice(0, 2000)}`);
  return {
    argv: [...TSX, "service/src/server.ts"],
    how: "tsx (the compile failed)",
  };
}
