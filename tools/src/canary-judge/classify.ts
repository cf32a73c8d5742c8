import { classifyAgreement } from "./classify/agreement.js";
import { classifyDistribution } from "./classify/distribution.js";
import { classifySamples } from "./classify/samples.js";
import type { MetricResult, Observation } from "./classify/types.js";
import type { ResolvedJudgement } from "./definition/judgement.js";
import type { MetricDefinition } from "./definition/schema.js";

/**
 * Classification, in the manner of Kayenta's judge: each metric is compared between the tracks
 * with a test on its samples and an effect-size tolerance and classified pass / high / low /
 * nodata, one module per metric kind under classify/; verdict.ts turns the results into the
 * verdict. Pure functions over observations: the data comes from collect.ts.
 */

export function classify(m: MetricDefinition, o: Observation, j: ResolvedJudgement): MetricResult {
  if (m.kind === "samples" && o.kind === "samples") return classifySamples(m, o, j);
  if (m.kind === "distribution" && o.kind === "distribution") return classifyDistribution(m, o, j);
  if (m.kind === "agreement" && o.kind === "agreement") return classifyAgreement(m, o, j);
  throw new TypeError(`observation of kind ${o.kind} for metric ${m.name} of kind ${m.kind}`);
}
