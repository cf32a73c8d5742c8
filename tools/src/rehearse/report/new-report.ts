/**
 * The report a rehearsal starts with: the scenario and what is known before anything runs, every
 * stage "skipped" until it runs, and the fixed lines about what this machine cannot make real.
 */
import type { RehearsalOptions } from "../options.js";
import type { Progress } from "../progress.js";
import { PRODUCTION, TRAFFIC } from "../setup.js";
import { DIFFERENCES } from "../workflow-commands.js";
import type { RehearsalReport } from "./types.js";

/**
 * One line each: what the real pipeline does that cannot be real on this machine, whatever the
 * platform; the platform's production adds its own lines when it starts.
 */
export const NOT_REAL_HERE = [
  "image: release.yml builds the image, scans it and pushes it to ECR; here this checkout's code runs as it is, no image is built or pushed",
  "review: model.yml proposes the values change as a pull request; here the commit goes straight to main of a local repository",
  "AWS: S3 is moto on 127.0.0.1 with fake credentials, so no IAM role or OIDC token is involved",
  "runners: CI runs each gate on its own runner; here the load gate's instance, production, Prometheus and the traffic share this machine's cores",
] as const;

export function newReport(opts: RehearsalOptions, progress: Progress): RehearsalReport {
  return {
    scenario: opts.scenario.name,
    platform: opts.platform,
    story: opts.candidate ? "a candidate given with --candidate" : opts.scenario.story,
    expected: opts.scenario.expected,
    outcome: "error",
    exit_code: 2,
    started_at: new Date(progress.startedAt).toISOString(),
    seconds: 0,
    model: PRODUCTION.model,
    candidate: { version: null, description: "not made" },
    production: {
      requests: 0,
      failed: 0,
      stable_before: PRODUCTION.version,
      stable_after: null,
      by_version: {},
      failures: {},
      rate: TRAFFIC.rate,
      rows_per_request: TRAFFIC.rowsPerRequest,
    },
    stages: progress.records,
    canary_steps: [],
    caught_by: [],
    repository: null,
    gitops: null,
    not_real_here: [...NOT_REAL_HERE],
    differences: [...DIFFERENCES],
    error: null,
    processes: [],
    timeline: null,
    cluster: null,
  };
}
