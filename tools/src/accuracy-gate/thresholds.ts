import type { Task } from "../../../service/src/repository/manifest.js";
import { numberOption, UsageError } from "../cli/args.js";
import { DEFAULT_THRESHOLDS, type Thresholds } from "./gate.js";
import { DEFAULT_REGRESSION_THRESHOLDS, type RegressionThresholds } from "./regression-gate.js";

/** The threshold flags of each task: every one is parsed up front, and refused on the other task. */
export const THRESHOLD_FLAGS = {
  classification: ["min-accuracy", "max-drop", "max-f1-drop", "min-class-recall"],
  regression: ["min-r2", "max-mae", "max-rmse", "max-mae-increase", "max-rmse-increase", "max-r2-drop"],
} as const;

type Flags = Readonly<Partial<Record<(typeof THRESHOLD_FLAGS)[Task][number], string>>>;

const UNIT = { min: 0, max: 1 };
const ANY_ERROR = { min: 0, max: Number.MAX_VALUE };
const RELATIVE = { min: 0, max: 1_000_000 };

export function classificationThresholds(o: Flags): Thresholds {
  const D = DEFAULT_THRESHOLDS;
  return {
    minAccuracy: numberOption(o["min-accuracy"], "min-accuracy", D.minAccuracy, UNIT),
    maxDrop: numberOption(o["max-drop"], "max-drop", D.maxDrop, UNIT),
    maxF1Drop: numberOption(o["max-f1-drop"], "max-f1-drop", D.maxF1Drop, UNIT),
    minClassRecall: numberOption(o["min-class-recall"], "min-class-recall", D.minClassRecall, UNIT),
  };
}

export function regressionThresholds(o: Flags): RegressionThresholds {
  const D = DEFAULT_REGRESSION_THRESHOLDS;
  const optional = (name: "max-mae" | "max-rmse") =>
    o[name] === undefined ? undefined : numberOption(o[name], name, 0, ANY_ERROR);
  return {
    // R² is below 0 for a model worse than the mean, so a floor may be negative.
    minR2: numberOption(o["min-r2"], "min-r2", D.minR2, { min: -1_000_000, max: 1 }),
    maxMae: optional("max-mae"),
    maxRmse: optional("max-rmse"),
    maxMaeIncrease: numberOption(o["max-mae-increase"], "max-mae-increase", D.maxMaeIncrease, RELATIVE),
    maxRmseIncrease: numberOption(o["max-rmse-increase"], "max-rmse-increase", D.maxRmseIncrease, RELATIVE),
    maxR2Drop: numberOption(o["max-r2-drop"], "max-r2-drop", D.maxR2Drop, RELATIVE),
  };
}

/** A threshold of the other task would be silently ignored: refuse it instead. */
export function refuseOtherTaskFlags(task: Task, o: Flags, why: string): void {
  const other: Task = task === "regression" ? "classification" : "regression";
  const given = THRESHOLD_FLAGS[other].filter((flag) => o[flag] !== undefined);
  if (given.length > 0) {
    throw new UsageError(
      `${given.map((g) => `--${g}`).join(", ")} ${given.length === 1 ? "is a" : "are"} ${other} threshold${given.length === 1 ? "" : "s"}, but this gate runs ${task} (${why})`,
    );
  }
}
