import type { LoadedVersion } from "./load.js";
import type { VersionRef } from "./model-uri.js";
import type { ReportTargets } from "./outputs.js";

/** What both gates (classification, regression) get from the command: the loaded candidate and the rest. */
export type GateContext = Readonly<{
  candidate: LoadedVersion;
  baselineRef: VersionRef | undefined;
  dataPath: string;
  /** Rows per inference run. */
  batchSize: number;
  /** Loads a version as the server does; the command releases it at the end. */
  load(ref: VersionRef): Promise<LoadedVersion>;
  /** A progress line on stderr (nothing with --quiet). */
  say(line: string): void;
  /** A progress callback for evaluating one version. */
  progressOf(label: string): (done: number, total: number) => void;
  targets: ReportTargets;
}>;
