import { createReadStream } from "node:fs";
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { parseS3Uri } from "../../../service/src/repository/s3-uri.js";
import { type CheckedSource, PublishError } from "./publish-source.js";

export type PublisherDeps = Readonly<{
  client: S3Client;
  /** Progress and status lines. */
  log: (line: string) => void;
  onUploadProgress?: (loaded: number, total: number) => void;
  /** Multipart part size; S3's minimum is 5 MiB. */
  partSizeBytes?: number;
  /** Test seam: runs before each write, so tests can crash a publish or race another publisher. */
  beforeWrite?: (file: "model.onnx" | "manifest.json") => Promise<void>;
}>;

export type Published = Readonly<{
  uri: string;
  model: string;
  version: number;
  sha256: string;
  bytes: number;
}>;

type S3Failure = { name?: string; $metadata?: { httpStatusCode?: number } };
const statusOf = (err: unknown) => (err as S3Failure)?.$metadata?.httpStatusCode;
const isPreconditionFailed = (err: unknown) =>
  statusOf(err) === 412 || (err as S3Failure)?.name === "PreconditionFailed";

/**
 * Publishes a checked version folder to `s3://bucket/prefix/<model>/<version>/`. Versions are
 * immutable: an existing version is refused up front (listing) and again atomically by S3
 * (`If-None-Match: *` on every write, so a racing publisher cannot slip in between). The manifest
 * goes last, and the server only sees versions with a manifest, so a failure at any point leaves
 * nothing loadable; the model.onnx of a failed attempt is then deleted so a retry can succeed.
 */
export class Publisher {
  constructor(private readonly deps: PublisherDeps) {}

  async publish(source: CheckedSource, target: string): Promise<Published> {
    const { client, log } = this.deps;
    const { bucket, prefix } = parseS3Uri(target);
    const base = [prefix, source.model, String(source.version)].filter(Boolean).join("/");
    const uri = `s3://${bucket}/${base}/`;
    const modelKey = `${base}/model.onnx`;
    const manifestKey = `${base}/manifest.json`;

    await this.refuseExisting(bucket, base, uri);
    log(`uploading ${source.modelPath} (${source.modelBytes} bytes) to s3://${bucket}/${modelKey}`);
    await this.deps.beforeWrite?.("model.onnx");
    await this.put(bucket, modelKey, uri, () => this.uploadModel(bucket, modelKey, source));
    try {
      await this.deps.beforeWrite?.("manifest.json");
      log(`writing s3://${bucket}/${manifestKey}`);
      await this.put(bucket, manifestKey, uri, () =>
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: manifestKey,
            Body: source.manifestBytes,
            ContentType: "application/json",
            IfNoneMatch: "*",
          }),
        ),
      );
    } catch (err) {
      await this.removeOrphan(bucket, modelKey, manifestKey);
      throw err;
    }
    return {
      uri,
      model: source.model,
      version: source.version,
      sha256: source.manifest.sha256,
      bytes: source.modelBytes,
    };
  }

  /** Any object under the version's prefix means it exists (manifest) or a publish broke off. */
  private async refuseExisting(bucket: string, base: string, uri: string): Promise<void> {
    const page = await this.deps.client
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${base}/`, MaxKeys: 20 }))
      .catch((err) => {
        throw new PublishError(
          "upload",
          `cannot list ${uri}: ${(err as S3Failure).name}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      });
    const keys = (page.Contents ?? []).map((o) => o.Key ?? "");
    if (keys.includes(`${base}/manifest.json`)) {
      throw new PublishError(
        "exists",
        `${uri} already exists; versions are immutable, publish a new version number`,
      );
    }
    if (keys.length > 0) {
      throw new PublishError(
        "incomplete",
        `${uri} has objects but no manifest.json (an interrupted publish?): ${keys.join(", ")}; delete them, then publish again`,
      );
    }
  }

  /** Runs a conditional write, turning S3's answers into PublishErrors that name the key. */
  private async put(bucket: string, key: string, uri: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (err instanceof PublishError) throw err;
      if (isPreconditionFailed(err)) {
        throw new PublishError(
          "exists",
          `${uri} was created by someone else while publishing (s3://${bucket}/${key} exists)`,
          {
            cause: err,
          },
        );
      }
      const name = (err as S3Failure).name ?? "Error";
      throw new PublishError("upload", `s3://${bucket}/${key}: ${name}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** Multipart above one part size (streamed from disk, parts in parallel); one PUT below it. */
  private async uploadModel(bucket: string, key: string, source: CheckedSource): Promise<void> {
    const upload = new Upload({
      client: this.deps.client,
      partSize: this.deps.partSizeBytes ?? 8 * 1024 * 1024,
      queueSize: 4,
      params: {
        Bucket: bucket,
        Key: key,
        Body: createReadStream(source.modelPath),
        ContentLength: source.modelBytes,
        ContentType: "application/octet-stream",
        IfNoneMatch: "*",
      },
    });
    upload.on("httpUploadProgress", (p) => this.deps.onUploadProgress?.(p.loaded ?? 0, source.modelBytes));
    await upload.done();
  }

  /** Deletes the model.onnx of a failed publish, unless a manifest now makes it someone's version. */
  private async removeOrphan(bucket: string, modelKey: string, manifestKey: string): Promise<void> {
    const { client, log } = this.deps;
    try {
      const manifest = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: manifestKey })).then(
        () => true,
        (err) => {
          if (statusOf(err) === 404) return false;
          throw err;
        },
      );
      if (manifest) return;
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: modelKey }));
      log(`removed the partial upload s3://${bucket}/${modelKey}`);
    } catch (err) {
      log(
        `could not remove s3://${bucket}/${modelKey} (${(err as Error).message}); delete it before publishing again`,
      );
    }
  }
}
