import { S3Client } from "@aws-sdk/client-s3";
import { warmupSamples } from "../../../service/src/core/warmup-samples.js";
import { ModelLoadError } from "../../../service/src/errors.js";
import { OnnxModel } from "../../../service/src/runtime/onnx-model.js";
import { cliConfig, numberOption, parseOptions, requireOption, S3_HELP, S3_OPTIONS } from "../cli/args.js";
import type { Command } from "../cli/command.js";
import { Progress } from "../cli/progress.js";
import { checkSource, PublishError } from "./publish-source.js";
import { Publisher } from "./publisher.js";

const HELP = `usage: infergate publish --source <dir> --target s3://bucket/prefix [--model <name> --version <n>] [options]

Uploads one model version folder (model.onnx + manifest.json) to an S3 model repository as
<prefix>/<model>/<version>/. Before anything is sent it checks the manifest, that it names the
target model/version (--model/--version, else the folder's own <model>/<version> path), the
artifact's sha256, and that ONNX Runtime loads the model with the declared signature.
Versions are immutable: an existing version (or leftovers of an interrupted publish) is refused,
and every write is conditional (If-None-Match: *). The manifest is written last, so a failed
publish never leaves a version a server would load.

  --source <dir>            the version folder, e.g. models/repository/digits/2
  --target <uri>            s3://bucket/prefix (the repository root the server is pointed at)
  --model <name>            target model name   (default: the folder's parent name)
  --version <n>             target version      (default: the folder's name)
  --part-size-mb <n>        multipart part size, default 8 (S3 minimum 5)

${S3_HELP}

exit codes: 0 published, 1 refused or failed (exists, upload error), 2 usage error or invalid source folder
`;

const OPTIONS = {
  source: { type: "string" },
  target: { type: "string" },
  model: { type: "string" },
  version: { type: "string" },
  "part-size-mb": { type: "string" },
  ...S3_OPTIONS,
} as const;

async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const o = parseOptions(argv, OPTIONS);
  const sourceDir = requireOption(o.source, "source");
  const target = requireOption(o.target, "target");
  if (!/^s3:\/\/[^/]+/.test(target))
    throw new PublishError("invalid_source", `--target "${target}" is not s3://bucket[/prefix]`);
  const version =
    o.version === undefined
      ? undefined
      : numberOption(o.version, "version", 0, { min: 1, max: 999_999_999, integer: true });
  const partMb = numberOption(o["part-size-mb"], "part-size-mb", 8, { min: 5, max: 5120, integer: true });
  const config = cliConfig(env, o);
  const progress = new Progress();

  const source = await checkSource(sourceDir, { model: o.model, version });
  progress.note(`checked ${source.dir}: ${source.model}/${source.version}, sha256 ${source.manifest.sha256}`);
  // Same load + signature check + warm-up as the server, so a version it would refuse never ships.
  try {
    const samples = warmupSamples(source.manifest, source.dir);
    const onnx = await OnnxModel.load(source.modelPath, source.manifest, config.runtime, source.dir, samples);
    if (onnx.warmup.kind === "synthetic_failed") {
      progress.note(
        `warning: synthetic warm-up failed (${onnx.warmup.message}); servers serve it and log this`,
      );
    }
    await onnx.release();
  } catch (err) {
    if (err instanceof ModelLoadError) throw new PublishError("invalid_source", err.message, { cause: err });
    throw err;
  }
  const client = new S3Client({
    region: config.s3.region,
    forcePathStyle: config.s3.forcePathStyle,
    maxAttempts: config.s3.maxAttempts,
    ...(config.s3.endpoint ? { endpoint: config.s3.endpoint } : {}),
  });
  try {
    const publisher = new Publisher({
      client,
      log: (line) => progress.note(line),
      onUploadProgress: (loaded, total) => progress.update("model.onnx", loaded, total, "bytes"),
      partSizeBytes: partMb * 1024 * 1024,
    });
    const published = await publisher.publish(source, target);
    process.stdout.write(
      `published ${published.model}/${published.version} to ${published.uri} (${published.bytes} bytes, sha256 ${published.sha256})\n`,
    );
    return 0;
  } finally {
    client.destroy();
  }
}

export const command: Command = {
  name: "publish",
  summary: "upload a model version folder to an S3 model repository (immutable, manifest last)",
  help: HELP,
  run,
  exitCodeOf: (err) => (err instanceof PublishError ? (err.reason === "invalid_source" ? 2 : 1) : undefined),
};
