import { fileURLToPath } from "node:url";
import type { Config } from "../process/config.js";
import { FileSource } from "./file-source.js";
import { S3Source } from "./s3-source.js";

/**
 * Where model versions come from. The layout is the same everywhere:
 * `<root>/<model>/<version>/model.onnx` and `<root>/<model>/<version>/manifest.json`.
 * A version exists only once its manifest does (publishers write it last).
 */
export interface ModelSource {
  /** Human-readable location of the repository root (for logs and metadata). */
  readonly uri: string;
  listModels(): Promise<string[]>;
  /** Versions of `model` that have a manifest, ascending. */
  listVersions(model: string): Promise<number[]>;
  /** Manifest text plus a description of where it came from, for error messages. */
  readManifest(model: string, version: number): Promise<{ text: string; where: string }>;
  /**
   * Returns a local path to the version's model.onnx whose sha256 is `sha256`, downloading into
   * the cache when needed. Throws ModelLoadError("digest_mismatch") rather than return other bytes.
   */
  materialize(model: string, version: number, sha256: string): Promise<string>;
  /** The model's `tracks.json` text, or undefined when it has none. */
  readPointer(model: string): Promise<{ text: string; where: string } | undefined>;
  /** Replaces the model's `tracks.json` (atomically where the store allows). */
  writePointer(model: string, text: string): Promise<void>;
  /** A cheap digest of the repository's state (object listing with ETags): unchanged means nothing to reload. */
  fingerprint(): Promise<string>;
}

export type SourceOptions = Pick<Config, "repository" | "cacheDir" | "s3">;

/** `s3://bucket/prefix` → bucket and prefix without slashes at either end. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m?.[1]) throw new Error(`"${uri}" is not an s3://bucket/prefix URI`);
  return { bucket: m[1], prefix: (m[2] ?? "").replace(/^\/+|\/+$/g, "") };
}

export function createSource(options: SourceOptions): ModelSource {
  if (options.repository.startsWith("s3://")) return new S3Source(options);
  if (options.repository.startsWith("file://")) return new FileSource(fileURLToPath(options.repository));
  throw new Error(`unsupported model repository "${options.repository}"`);
}
