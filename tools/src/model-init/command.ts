import { resolve } from "node:path";
import { manifestSchema, TASKS, type Task } from "../../../service/src/repository/manifest.js";
import { cliConfig, numberOption, parseCommandLine, requireOption, UsageError } from "../cli/args.js";
import type { Command } from "../cli/command.js";
import { ModelInitError } from "./errors.js";
import { type InitResult, initModel } from "./init.js";

const HELP = `usage: infergate model init <model.onnx> --name <name> --version <n> --repository <dir> [options]

Makes <dir>/<name>/<n>/ from an ONNX file: copies it to model.onnx and writes manifest.json from
what ONNX Runtime reports (input and output names, datatypes, shapes with -1 for dynamic dims),
the sha256, and the options below. It then loads the version as the server does (signature
check and warm-up) before the folder appears, so a folder it makes is one the server serves and
\`infergate publish\` accepts.

  --name <name>               model name (letters, digits, _ . -, starting with a letter or digit)
  --version <n>               version number (a positive integer); an existing version is refused
  --repository <dir>          local model repository root (created if missing); serve it with
                              \`infergate serve <dir>\`, or publish the version to S3
  --labels <file>             class labels, one per line (or a JSON array), in the order of the
                              model's [batch, n_labels] score output; sets task classification
  --task <task>               classification or regression (for \`infergate gate accuracy\`)
  --warmup-samples <file>     real rows to warm the model up with instead of zeros: one V2 infer
                              request body ({"inputs": [...]}) or a JSON array of up to 16

Refused, with one line that says what to change: a file ONNX Runtime cannot load, an output that
is not a tensor (a sequence or map, e.g. skl2onnx's ZipMap: export with zipmap=False), labels no
output matches, warm-up samples the model refuses, an existing version.
Runtime settings come from INFERGATE_INTRA_OP_THREADS / INFERGATE_GRAPH_OPTIMIZATION_LEVEL, as in the server.

exit codes: 0 created, 1 refused, 2 usage error or unreadable file
`;

const OPTIONS = {
  name: { type: "string" },
  version: { type: "string" },
  repository: { type: "string" },
  labels: { type: "string" },
  task: { type: "string" },
  "warmup-samples": { type: "string" },
} as const;

function taskOption(value: string | undefined, labels: string | undefined): Task | undefined {
  if (value !== undefined && !(TASKS as readonly string[]).includes(value))
    throw new UsageError(`--task must be one of ${TASKS.join(", ")}, got "${value}"`);
  const task = (value as Task | undefined) ?? (labels !== undefined ? "classification" : undefined);
  if (task === "classification" && labels === undefined)
    throw new UsageError("--task classification needs --labels (the class names of the score output)");
  if (task === "regression" && labels !== undefined)
    throw new UsageError("--labels makes no sense with --task regression");
  return task;
}

const describeTensors = (specs: InitResult["manifest"]["inputs"]) =>
  specs.map((s) => `${s.name} ${s.datatype} [${s.shape.join(", ")}]`).join(", ");

async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values: o, positionals } = parseCommandLine(argv, OPTIONS, 1);
  const model = positionals[0];
  if (model === undefined)
    throw new UsageError("the model file is required: infergate model init <model.onnx> ...");
  const name = requireOption(o.name, "name");
  // The manifest's own rule for names, so init never writes one the server refuses.
  const nameCheck = manifestSchema.shape.name.safeParse(name);
  if (!nameCheck.success)
    throw new UsageError(`--name "${name}": ${nameCheck.error.issues[0]?.message ?? "not a model name"}`);
  const version = numberOption(requireOption(o.version, "version"), "version", 0, {
    min: 1,
    max: 999_999_999,
    integer: true,
  });
  const repository = requireOption(o.repository, "repository");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repository))
    throw new UsageError(
      `--repository must be a local folder (got ${repository}); \`infergate publish\` uploads to S3`,
    );
  const result = await initModel({
    model,
    name,
    version,
    repository: resolve(repository),
    labelsFile: o.labels,
    warmupSamplesFile: o["warmup-samples"],
    task: taskOption(o.task, o.labels),
    runtime: cliConfig(env, {}).runtime,
  });
  const { manifest, warmup } = result;
  const lines = [
    `created ${result.folder}: model.onnx (sha256 ${manifest.sha256}) and manifest.json`,
    `  inputs:  ${describeTensors(manifest.inputs)}`,
    `  outputs: ${describeTensors(manifest.outputs)}`,
    `  warm-up: ${warmup.kind === "samples" ? `${warmup.runs} sample request(s)` : "synthetic (zeros)"}`,
    `serve it: infergate serve ${resolve(repository)}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  if (warmup.kind === "synthetic_failed") {
    process.stderr.write(
      `warning: the synthetic warm-up failed (${warmup.message}); the server serves the model and logs this warning at each load: pass --warmup-samples <file> with real rows to warm it up instead\n`,
    );
  }
  return 0;
}

export const command: Command = {
  name: "model init",
  summary: "make a model repository version (model.onnx + manifest.json) from an ONNX file",
  help: HELP,
  run,
  exitCodeOf: (err) => (err instanceof ModelInitError ? (err.reason === "refused" ? 1 : 2) : undefined),
};
