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
   * the cache when needed. Throws ModelLoadError("digest_mismatch") rather than return other bytes,
   * and ModelLoadError("too_large") for an artifact over `maxBytes`, before it is downloaded.
   */
  materialize(model: string, version: number, sha256: string, maxBytes: number): Promise<string>;
  /** Drops cached artifacts of every version not in `keep` ("model/version"); a no-op without a cache. */
  prune(keep: ReadonlySet<string>): Promise<void>;
  /** The model's `tracks.json` text, or undefined when it has none. */
  readPointer(model: string): Promise<{ text: string; where: string } | undefined>;
  /** Replaces the model's `tracks.json` (atomically where the store allows). */
  writePointer(model: string, text: string): Promise<void>;
  /** A cheap digest of the repository's state (object listing with ETags): unchanged means nothing to reload. */
  fingerprint(): Promise<string>;
}

/** Where the repository is and how to reach it (the server's config carries these). */
export type SourceOptions = Readonly<{
  /** `file:///abs/path` or `s3://bucket[/prefix]`. */
  repository: string;
  /** Where S3 artifacts are downloaded (keyed by sha256). */
  cacheDir: string;
  s3: Readonly<{
    endpoint: string | undefined;
    forcePathStyle: boolean;
    region: string;
    maxAttempts: number;
  }>;
}>;
