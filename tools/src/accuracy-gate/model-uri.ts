import { basename, dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseS3Uri } from "../../../service/src/repository/s3-uri.js";
import { parseVersion } from "../../../service/src/repository/version-policy.js";
import { EvaluationInputError } from "./errors.js";

/** One model version named by its folder, split into what a ModelSource needs. */
export type VersionRef = Readonly<{
  /** The folder as given, for messages and reports. */
  uri: string;
  /** Repository root in the server's form: `file:///abs/root` or `s3://bucket/prefix`. */
  repository: string;
  model: string;
  version: number;
}>;

function split(uri: string, model: string | undefined, versionText: string | undefined) {
  const version = versionText === undefined ? undefined : parseVersion(versionText);
  if (!model || version === undefined) {
    throw new EvaluationInputError(
      `"${uri}" does not end in <model>/<version> (a positive integer version folder, e.g. digits/2)`,
    );
  }
  return { model, version };
}

/**
 * A version folder given as `file:///abs/repo/digits/2`, a plain (relative or absolute) path, or
 * `s3://bucket/prefix/digits/2`. The repository root is everything before `<model>/<version>`,
 * so the version then loads through the same ModelSource + ModelLoader as in the server.
 */
export function parseVersionUri(text: string, cwd = process.cwd()): VersionRef {
  const uri = text.trim();
  if (uri === "") throw new EvaluationInputError("empty model version URI");
  if (uri.startsWith("s3://")) {
    const { bucket, prefix } = parseS3Uri(uri);
    const parts = prefix.split("/").filter(Boolean);
    const { model, version } = split(uri, parts[parts.length - 2], parts[parts.length - 1]);
    const root = parts.slice(0, -2).join("/");
    return { uri, repository: `s3://${bucket}${root ? `/${root}` : ""}`, model, version };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith("file://")) {
    throw new EvaluationInputError(`"${uri}": only file://, s3:// and plain paths are supported`);
  }
  let path: string;
  try {
    path = uri.startsWith("file://") ? fileURLToPath(uri) : resolve(cwd, uri);
  } catch (err) {
    throw new EvaluationInputError(`"${uri}" is not a valid file URI (${(err as Error).message})`);
  }
  const folder = path.replace(/\/+$/, "");
  const { model, version } = split(uri, basename(dirname(folder)), basename(folder));
  return { uri, repository: pathToFileURL(dirname(dirname(folder))).href, model, version };
}
