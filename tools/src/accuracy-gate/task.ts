import type { ServedVersion } from "../../../service/src/core/served-version.js";
import type { Task } from "../../../service/src/repository/manifest.js";
import { EvaluationInputError } from "./errors.js";

/**
 * What the gate measures: the --task flag, else the candidate manifest's `task`, else
 * classification for a manifest with labels (the manifests made before `task` existed).
 */
export function resolveTask(flag: Task | undefined, candidate: ServedVersion): Task {
  const task = flag ?? candidate.manifest.task ?? (candidate.classifier ? "classification" : undefined);
  if (!task) {
    throw new EvaluationInputError(
      `${candidate.model} version ${candidate.version} does not say what it predicts (no "task" or "labels" in its manifest); pass --task classification or --task regression`,
    );
  }
  return task;
}

/** A baseline is compared on the candidate's task; one whose manifest says another task cannot be. */
export function checkBaselineTask(task: Task, baseline: ServedVersion): void {
  const own = baseline.manifest.task;
  if (own !== undefined && own !== task) {
    throw new EvaluationInputError(
      `task mismatch: the candidate is gated as ${task}, but baseline ${baseline.model} version ${baseline.version} is a ${own} model`,
    );
  }
}
