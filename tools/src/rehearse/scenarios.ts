/**
 * The rehearsal's scenarios: which candidate goes through the pipeline and what the pipeline
 * must do with it. Each is a test (tools/test/rehearse); in every one production keeps answering
 * without a single failed request.
 */
export type Outcome = "promoted" | "stopped" | "rolled_back";

/** How the candidate is made. */
export type CandidateRecipe =
  /** The production recipe trained as the next version: models/train.py --version N (model.yml's `source: train`). */
  | { kind: "trained" }
  /** A committed version folder, relative to the checkout. */
  | { kind: "fixture"; path: string }
  /**
   * Production's own model behind a tower of `rotations` dense 1024-wide rotation pairs
   * (models/heavier.py): the same answers for more CPU per row, as a bigger network costs.
   */
  | { kind: "heavier"; rotations: number };

export type Scenario = {
  name: string;
  expected: Outcome;
  candidate: CandidateRecipe;
  /** One line: what the candidate is and why the pipeline treats it as it does. */
  story: string;
};

export const SCENARIOS = [
  {
    name: "good",
    expected: "promoted",
    candidate: { kind: "trained" },
    story:
      "the production recipe trained as the next version: as good as production, so every gate passes and it is promoted",
  },
  {
    name: "accuracy-regression",
    expected: "stopped",
    candidate: { kind: "fixture", path: "service/test/fixtures/models/degraded/digits/3" },
    story:
      "the degraded fixture (the production recipe collapsed onto class 8): the accuracy gate stops it before anything is published",
  },
  {
    name: "canary-regression",
    expected: "rolled_back",
    // 15 pairs: about 1.6 ms for one row, 20 ms for production's 32-row requests on this 2-core
    // machine class; the load gate's single rows stay far inside its 100 ms p95 budget.
    candidate: { kind: "heavier", rotations: 15 },
    story:
      "production's model behind 15 rotation pairs (31M more multiply-adds a row, same answers): it passes the accuracy gate and the load gate's absolute budget on single rows, but answers production's 32-row requests several times slower than stable, which the canary's latency comparison catches",
  },
  {
    name: "slow",
    expected: "stopped",
    // 250 pairs: about 25 ms a row; 50 single-row requests a second need more than the 2 cores.
    candidate: { kind: "heavier", rotations: 250 },
    story:
      "production's model behind 250 rotation pairs (524M more multiply-adds a row, same answers): accurate, but too slow for the load gate's p95 threshold",
  },
] as const satisfies readonly Scenario[];

export type ScenarioName = (typeof SCENARIOS)[number]["name"];

export const SCENARIO_NAMES: readonly ScenarioName[] = SCENARIOS.map((s) => s.name);

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
