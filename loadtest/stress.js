// Stress/spike: ramp to the base rate, hold, spike to the peak rate, hold, fall back and hold
// again, all as arrival rates. Thresholds are looser than the load stage's; the gate asks that
// the service keeps answering correctly through the spike and recovers after it.
import exec from "k6/execution";
import { k6Options, stageConfig } from "./lib/config.js";
import { discover, inferMixed } from "./lib/requests.js";
import { makeHandleSummary } from "./lib/summary.js";

const cfg = stageConfig("stress");

export const options = k6Options(cfg);

export function setup() {
  return discover(cfg);
}

export default function (setup) {
  inferMixed(cfg, setup, exec.scenario.iterationInTest);
}

export const handleSummary = makeHandleSummary(cfg);
