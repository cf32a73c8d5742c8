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
   * Production's own model behind a tower of dense 1024-wide rotation pairs (models/heavier.py):
   * the same answers for more CPU per row, as a bigger network costs. `rotations` pairs; or
   * `timesLoadP95`: as many as make one row cost that multiple of the load gate's p95 budget on
   * the machine running the rehearsal (measured there: a fixed count is a different time on every
   * CPU, and a candidate meant to breach an absolute budget must breach it everywhere).
   */
  | { kind: "heavier"; rotations: number }
  | { kind: "heavier"; timesLoadP95: number };

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
    // One row alone takes 1.5× the p95 budget, so every request breaches it, on any CPU and with any
    // number of workers (batching makes a row cheaper, never a request faster than one row).
    candidate: { kind: "heavier", timesLoadP95: 1.5 },
    story:
      "production's model behind as many rotation pairs as make one row take 1.5× the load gate's p95 budget on this machine (same answers): accurate, but too slow for the load gate's p95 threshold",
  },
] as const satisfies readonly Scenario[];

export type ScenarioName = (typeof SCENARIOS)[number]["name"];

export const SCENARIO_NAMES: readonly ScenarioName[] = SCENARIOS.map((s) => s.name);

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
