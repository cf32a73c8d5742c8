import { fileURLToPath } from "node:url";
import { FileSource } from "./file-source.js";
import { S3Source } from "./s3-source.js";
import type { ModelSource, SourceOptions } from "./source.js";

/** The source of a repository URI: a folder (`file://`) or a bucket prefix (`s3://`). */
export function createSource(options: SourceOptions): ModelSource {
  if (options.repository.startsWith("s3://")) return new S3Source(options);
  if (options.repository.startsWith("file://")) return new FileSource(fileURLToPath(options.repository));
  throw new Error(`unsupported model repository "${options.repository}"`);
}
