import { pathToFileURL } from "node:url";
import { serveProcess } from "../../../service/src/process/server.js";
import { parseCommandLine } from "../cli/args.js";
import type { Command } from "../cli/command.js";

const HELP = `usage: infergate serve [repository]

Runs the inference server (what \`npm start\` does): HTTP on $HOST:$PORT (default 0.0.0.0:8080),
gRPC when INFERGATE_GRPC_PORT is set, every setting from the environment (README, Configuration).

  repository    model repository to serve: a folder, file:///abs/path or s3://bucket[/prefix]
                (default: $INFERGATE_MODEL_REPOSITORY, else the bundled models/repository)

It runs until SIGTERM or SIGINT, then drains in-flight requests and exits 0; a bad setting exits 1
naming the variable.`;

/** A folder given on the command line, as the absolute file URL INFERGATE_MODEL_REPOSITORY takes. */
function repositoryUri(arg: string): string {
  if (/^(file|s3):\/\//.test(arg)) return arg;
  return pathToFileURL(arg).href;
}

export const command: Command = {
  name: "serve",
  summary: "run the inference server (what npm start does)",
  help: HELP,
  run: (argv, env) => {
    const { positionals } = parseCommandLine(argv, {}, 1);
    const repository = positionals[0];
    // Set on the process itself: cluster workers are forked with this environment.
    if (repository !== undefined) env.INFERGATE_MODEL_REPOSITORY = repositoryUri(repository);
    serveProcess(env);
    // The server owns the process from here: it exits on its own (signal, fatal error).
    return new Promise<number>(() => {});
  },
};
