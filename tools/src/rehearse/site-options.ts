/** What starting production on a platform takes: the rehearsal's parts that exist before it. */
import type { GitOpsRepository } from "./gitops.js";
import type { Progress } from "./progress.js";
import type { S3Emulator } from "./s3-emulator.js";
import type { Supervisor } from "./supervisor.js";

/** The rehearsal's parts every platform and every stage work with. */
export type RehearsalParts = {
  root: string;
  scratch: string;
  reportDir: string;
  supervisor: Supervisor;
  progress: Progress;
  /** The S3 repository holding production's stable version. */
  s3: S3Emulator;
  /** The GitOps repository whose values file says what production serves. */
  gitops: GitOpsRepository;
};

export type SiteOptions = RehearsalParts & {
  /** The model and the stable version production serves at the start. */
  production: { model: string; version: number };
};
