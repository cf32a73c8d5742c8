import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Readable } from "node:stream";
import {
  type _Object,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { ModelLoadError } from "../errors.js";
import { checkArtifactSize, fetchToCache, pruneCache } from "./cache.js";
import { withRetry } from "./retry.js";
import { parseS3Uri } from "./s3-uri.js";
import type { ModelSource, SourceOptions } from "./source.js";
import { POINTER_FILE } from "./track-pointer.js";
import { parseVersion } from "./version-policy.js";

type S3Failure = { name?: string; $metadata?: { httpStatusCode?: number } };

function statusOf(err: unknown): number | undefined {
  return (err as S3Failure)?.$metadata?.httpStatusCode;
}

/** 403/404 and digest mismatches will not fix themselves; network errors, 5xx and throttling may. */
function isTransient(err: unknown): boolean {
  if (err instanceof ModelLoadError) return false;
  const status = statusOf(err);
  return status === undefined || status === 429 || status >= 500;
}

/**
 * A model repository in S3 (or an S3-compatible store via endpoint + path-style addressing).
 * Credentials come only from the AWS SDK's default chain: environment, web identity (IRSA),
 * container or instance profile. Nothing here reads keys from files in the repository.
 */
export class S3Source implements ModelSource {
  readonly uri: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly attempts: number;

  constructor(private readonly options: SourceOptions) {
    const { bucket, prefix } = parseS3Uri(options.repository);
    this.bucket = bucket;
    this.prefix = prefix;
    this.uri = `s3://${bucket}${prefix ? `/${prefix}` : ""}`;
    this.attempts = options.s3.maxAttempts;
    this.client = new S3Client({
      region: options.s3.region,
      forcePathStyle: options.s3.forcePathStyle,
      maxAttempts: 1, // retries are ours (withRetry), so streamed downloads are retried too
      ...(options.s3.endpoint ? { endpoint: options.s3.endpoint } : {}),
    });
  }

  private key(...parts: (string | number)[]): string {
    return [this.prefix, ...parts].filter((p) => p !== "").join("/");
  }

  private describe(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  /** Turns S3's terse failures into messages that name bucket and key. */
  private explain(err: unknown, key: string): unknown {
    if (err instanceof ModelLoadError) return err;
    const status = statusOf(err);
    const name = (err as S3Failure)?.name ?? "Error";
    if (status === 404 || name === "NoSuchKey" || name === "NoSuchBucket") {
      return new ModelLoadError("not_found", `${this.describe(key)}: not found (${name})`, { cause: err });
    }
    if (status === 403 || name === "AccessDenied") {
      return new ModelLoadError(
        "access_denied",
        `${this.describe(key)}: access denied (${name}); check the role's s3:GetObject/s3:ListBucket on this prefix`,
        { cause: err },
      );
    }
    return new ModelLoadError("fetch", `${this.describe(key)}: ${name}: ${(err as Error).message}`, {
      cause: err,
    });
  }

  private retry<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, { attempts: this.attempts, baseDelayMs: 200, isRetryable: isTransient }).catch(
      (err) => {
        throw this.explain(err, key);
      },
    );
  }

  private async listAll(
    prefix: string,
    delimiter?: string,
  ): Promise<{ objects: _Object[]; prefixes: string[] }> {
    const objects: _Object[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.retry(prefix, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            Delimiter: delimiter,
            ContinuationToken: token,
          }),
        ),
      );
      objects.push(...(page.Contents ?? []));
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { objects, prefixes };
  }

  async listModels(): Promise<string[]> {
    const root = this.prefix ? `${this.prefix}/` : "";
    const { prefixes } = await this.listAll(root, "/");
    const names = prefixes.map((p) => p.slice(root.length).replace(/\/$/, ""));
    const models: string[] = [];
    for (const name of names) if ((await this.listVersions(name)).length > 0) models.push(name);
    return models.sort();
  }

  async listVersions(model: string): Promise<number[]> {
    const base = `${this.key(model)}/`;
    const { objects } = await this.listAll(base);
    const versions = new Set<number>();
    for (const o of objects) {
      const m = /^([^/]+)\/manifest\.json$/.exec((o.Key ?? "").slice(base.length));
      const v = m?.[1] ? parseVersion(m[1]) : undefined;
      if (v !== undefined) versions.add(v);
    }
    return [...versions].sort((a, b) => a - b);
  }

  private async open(key: string, maxBytes = Number.POSITIVE_INFINITY): Promise<Readable> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!out.Body) throw new ModelLoadError("fetch", `${this.describe(key)}: empty response body`);
    if (out.ContentLength !== undefined && out.ContentLength > maxBytes) {
      (out.Body as Readable).destroy();
      checkArtifactSize(out.ContentLength, maxBytes, this.describe(key));
    }
    return out.Body as Readable;
  }

  async readManifest(model: string, version: number): Promise<{ text: string; where: string }> {
    const key = this.key(model, version, "manifest.json");
    const text = await this.retry(key, async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await out.Body?.transformToString("utf8")) ?? "";
    });
    return { text, where: this.describe(key) };
  }

  async materialize(model: string, version: number, sha256: string, maxBytes: number): Promise<string> {
    const key = this.key(model, version, "model.onnx");
    // Cached by digest: the same bytes are never downloaded twice, different bytes never collide.
    const dest = join(this.options.cacheDir, model, String(version), `${sha256}.onnx`);
    await this.retry(key, () =>
      fetchToCache(() => this.open(key, maxBytes), dest, sha256, this.describe(key)),
    );
    return dest;
  }

  async prune(keep: ReadonlySet<string>): Promise<void> {
    await pruneCache(this.options.cacheDir, keep);
  }

  async readPointer(model: string): Promise<{ text: string; where: string } | undefined> {
    const key = this.key(model, POINTER_FILE);
    try {
      const text = await this.retry(key, async () => {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        return (await out.Body?.transformToString("utf8")) ?? "";
      });
      return { text, where: this.describe(key) };
    } catch (err) {
      if (err instanceof ModelLoadError && err.reason === "not_found") return undefined;
      throw err;
    }
  }

  /** Needs s3:PutObject on `<prefix>/<model>/tracks.json` (the admin API's promote/rollback). */
  async writePointer(model: string, text: string): Promise<void> {
    const key = this.key(model, POINTER_FILE);
    await this.retry(key, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: text, ContentType: "application/json" }),
      ),
    );
  }

  async fingerprint(): Promise<string> {
    const { objects } = await this.listAll(this.prefix ? `${this.prefix}/` : "");
    const hash = createHash("sha256");
    for (const o of objects) hash.update(`${o.Key}:${o.ETag}:${o.Size}\n`);
    return hash.digest("hex");
  }

  destroy(): void {
    this.client.destroy();
  }
}
