/**
 * Prints the model version an environment serves, as a version-folder URI the accuracy gate
 * takes (`s3://bucket/prefix/digits/2` or `file:///…/digits/2`), from the environment's Helm
 * values: config.modelRepository, config.models and config.versionPolicy.
 *
 *   npx tsx .github/scripts/production-model.ts --values helm/infergate/values-prod.yaml [--model digits]
 *   npx tsx .github/scripts/production-model.ts --values … --repository-only   # just the repository URI
 *
 * `specific:a,b` → the highest listed version; `latest:N` / `all` → the highest version in the
 * repository that has a manifest.json (S3: ListObjectsV2 + HeadObject with the job's AWS
 * credentials). Writes `uri=…` and `version=…` to $GITHUB_OUTPUT when that is set.
 * Exit 0 found, 1 nothing found, 2 usage error.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse } from "yaml";

function fail(code: number, message: string): never {
  process.stderr.write(`production-model: ${message}\n`);
  process.exit(code);
}

const { values: opts } = parseArgs({
  options: {
    values: { type: "string" },
    model: { type: "string" },
    repository: { type: "string" },
    "repository-only": { type: "boolean", default: false },
  },
  strict: true,
});
if (!opts.values) fail(2, "usage: --values <helm values file> [--model <name>] [--repository <uri>]");

type Config = { modelRepository?: string; models?: string; versionPolicy?: string };
const config = ((parse(readFileSync(opts.values, "utf8")) ?? {}) as { config?: Config }).config ?? {};
const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
// An empty modelRepository means the image's bundled repository (the service default).
let repository = opts.repository || config.modelRepository || `file://${join(root, "models", "repository")}`;
if (repository.startsWith("/")) repository = `file://${repository}`;
repository = repository.replace(/\/+$/, "");
const model =
  opts.model ||
  String(config.models || "")
    .split(",")
    .map((s) => s.trim())
    .find(Boolean) ||
  "digits";
const policy = String(config.versionPolicy || "latest:1").trim();
if (opts["repository-only"]) {
  process.stdout.write(`${repository}\n`);
  process.exit(0);
}

const isVersion = (name: string) => /^[1-9]\d*$/.test(name);

/** The highest version with a manifest.json in the repository (empty when there is none). */
async function versionsInRepository(): Promise<number[]> {
  if (repository.startsWith("file://")) {
    const dir = join(fileURLToPath(repository), model);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((n) => isVersion(n) && existsSync(join(dir, n, "manifest.json")))
      .map(Number);
  }
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(repository);
  if (!m) fail(2, `unsupported repository "${repository}"`);
  const [, bucket, prefixRaw] = m;
  const prefix = `${prefixRaw ? `${prefixRaw}/` : ""}${model}/`;
  const { S3Client, ListObjectsV2Command, HeadObjectCommand } = await import("@aws-sdk/client-s3");
  const s3 = new S3Client({});
  const found: number[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: "/", ContinuationToken: token }),
    );
    for (const p of page.CommonPrefixes ?? []) {
      const name = (p.Prefix ?? "").slice(prefix.length).replace(/\/$/, "");
      if (isVersion(name)) found.push(Number(name));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  // A version exists only once its manifest does (publishers write it last).
  for (const v of found.sort((a, b) => b - a)) {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}${v}/manifest.json` }));
      return [v]; // the highest is all we need
    } catch (err) {
      const e = err as { $metadata?: { httpStatusCode?: number }; name?: string };
      if (e.$metadata?.httpStatusCode !== 404 && e.name !== "NotFound") throw err;
    }
  }
  return [];
}

let version: number | undefined;
const specific = /^specific:\s*([\d,\s]+)$/.exec(policy);
if (specific) {
  version = Math.max(
    ...(specific[1] ?? "")
      .split(",")
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0),
  );
} else if (/^latest:\d+$/.test(policy) || policy === "all") {
  const versions = await versionsInRepository();
  if (versions.length > 0) version = Math.max(...versions);
} else {
  fail(2, `unsupported versionPolicy "${policy}" in ${opts.values}`);
}
if (version === undefined || !Number.isInteger(version) || version < 1)
  fail(1, `no version of ${model} found in ${repository} (${policy})`);

const uri = `${repository}/${model}/${version}`;
process.stdout.write(`${uri}\n`);
if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `uri=${uri}\nversion=${version}\n`);
