// Load: a constant arrival rate of inference requests (open model: k6 starts requests on
// schedule whether or not earlier ones finished, so a slow service shows up as latency and
// dropped iterations instead of a politely lower rate).
import exec from "k6/execution";
import { k6Options, stageConfig } from "./lib/config.js";
import { discover, inferMixed } from "./lib/requests.js";
import { makeHandleSummary } from "./lib/summary.js";

const cfg = stageConfig("load");

export const options = k6Options(cfg);

export function setup() {
  return discover(cfg);
}

export default function (setup) {
  inferMixed(cfg, setup, exec.scenario.iterationInTest);
}

export const handleSummary = makeHandleSummary(cfg);
