// Smoke: one VU walks every endpoint (health, metadata, metrics, V2 infer, V1 predict) with real
// validation rows. Cheap enough for every pipeline run; catches a broken build or model fast.

import { sleep } from "k6";
import exec from "k6/execution";
import { k6Options, stageConfig } from "./lib/config.js";
import { controlPlane, discover, inferV2, predictV1 } from "./lib/requests.js";
import { makeHandleSummary } from "./lib/summary.js";

const cfg = stageConfig("smoke");

export const options = k6Options(cfg);

export function setup() {
  return discover(cfg);
}

export default function (setup) {
  const seq = exec.scenario.iterationInTest;
  controlPlane(cfg);
  inferV2(cfg, setup, seq);
  predictV1(cfg, seq);
  sleep(0.1);
}

export const handleSummary = makeHandleSummary(cfg);
