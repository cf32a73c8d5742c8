/** The rehearsal's command line: options, their checks and the usage text. */
import { resolve } from "node:path";
import { parseOptions, UsageError } from "../cli/args.js";
import { parseDuration } from "../load-gate/options.js";
import { SCENARIO_NAMES, type Scenario, scenarioNamed } from "./scenarios.js";

/** Where production runs: one server with in-server tracks, or the chart on a local control plane. */
export const PLATFORMS = ["local", "kube"] as const;
export type PlatformName = (typeof PLATFORMS)[number];

export const USAGE = `usage: infergate rehearse [--scenario <name>] [--candidate <dir>] [--report-dir <dir>] [options]

Takes a model version from candidate to production on this machine, with the real parts, all on
127.0.0.1: moto as the S3 API, the service serving production (digits v2, published by the
rehearsal into a fresh bucket) from it, Prometheus scraping the service, and steady production
traffic that runs the whole time and counts every request and every failure. Then the candidate
goes through the model workflow's stages:

  1 accuracy gate  npm run gate:accuracy against production (model.yml's data and thresholds)
  2 publish        npm run publish:model into the S3 repository (immutable, manifest last)
  3 load gate      npm run gate:load, stage load (loadtest/stages.json's rate and thresholds)
  4 canary         the server's canary track at 10 %, 50 %, 100 %, each step judged by the canary
                   verdict over that step's Prometheus data (helm/infergate/files/canary-analysis.yaml,
                   the definition the Argo Rollouts AnalysisTemplate is generated from);
                   rollback: weight 0 and the candidate out; hold: the step once more, then rollback
  5 promote        the candidate becomes stable, and .github/scripts/set-values.ts makes the GitOps
                   commit in a local git repository standing in for the GitOps repository

  --scenario <name>       ${SCENARIO_NAMES.join(", ")} (default good)
  --candidate <dir>       a version folder (manifest.json + model.onnx) of digits, version 3 or more;
                          scenario good only. Default: the scenario's candidate (good: the production
                          recipe trained as the next version by models/train.py --version 3)
  --report-dir <dir>      report.json, report.md, the SVG charts, each stage's reports and logs and the
                          GitOps repository (default .cache/rehearse/<scenario>; a previous report there
                          is replaced)
  --load-duration <d>     how long k6 drives the load gate, default 20s (the stage's own is 60s; the
                          rate and thresholds stay the stage's)
  --platform <name>       local (default): production is one server, the canary its in-server track;
                          kube: production is the chart's prod release on a local Kubernetes control
                          plane (kube/: etcd, kube-apiserver, controller-manager, scheduler, kwok nodes,
                          the Argo Rollouts controller), its pods played by infergate processes; the
                          canary is the Rollout the values change starts, stepped by the Argo Rollouts
                          controller and judged by its AnalysisRun through \`infergate canary serve\`
  --from <report.json>    only render report.md and the SVGs of a saved report.json into --report-dir

Progress goes to stderr: a line per stage with the elapsed time, and the live count of production
requests and failures.

exit codes: 0 promoted, 1 stopped by a gate or rolled back, 2 could not run (a part did not start,
a stage could not reach a decision), 130/143 interrupted (everything it started is stopped first)`;

export type RehearsalOptions = {
  scenario: Scenario;
  /** A candidate version folder given on the command line (scenario good only). */
  candidate: string | undefined;
  reportDir: string;
  loadDuration: string;
  platform: PlatformName;
};

export type RenderOptions = { from: string; reportDir: string };

const OPTIONS = {
  scenario: { type: "string", default: "good" },
  candidate: { type: "string" },
  "report-dir": { type: "string" },
  "load-duration": { type: "string", default: "20s" },
  from: { type: "string" },
  platform: { type: "string", default: "local" },
} as const;

export function parseRehearsalArgs(argv: readonly string[]): RehearsalOptions | RenderOptions {
  const o = parseOptions(argv, OPTIONS);
  const scenario = scenarioNamed(o.scenario);
  if (!scenario)
    throw new UsageError(`--scenario ${o.scenario}: expected one of ${SCENARIO_NAMES.join(", ")}`);
  if (o.from !== undefined) {
    if (o["report-dir"] === undefined) throw new UsageError("--from needs --report-dir (where to render)");
    return { from: resolve(o.from), reportDir: resolve(o["report-dir"]) };
  }
  if (o.candidate !== undefined && scenario.name !== "good") {
    throw new UsageError(`--candidate is for scenario good; ${scenario.name} brings its own candidate`);
  }
  parseDuration(o["load-duration"]);
  const platform = PLATFORMS.find((p) => p === o.platform);
  if (!platform) throw new UsageError(`--platform ${o.platform}: expected one of ${PLATFORMS.join(", ")}`);
  return {
    scenario,
    candidate: o.candidate === undefined ? undefined : resolve(o.candidate),
    reportDir: resolve(o["report-dir"] ?? `.cache/rehearse/${scenario.name}`),
    loadDuration: o["load-duration"],
    platform,
  };
}
