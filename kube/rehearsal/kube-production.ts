/**
 * What the kube platform's stages act on (canary-stage.ts, promote-stage.ts and their helpers),
 * as site.ts starts it: its own module, so that the stages need not import the site that
 * imports them.
 */
import type { ControlPlane } from "../control-plane.js";
import type { AlbRouter } from "../lib/alb-router.js";
import type { LocalPods } from "../lib/local-pods.js";
import type { ClusterRecorder } from "./cluster-record.js";

export type KubeProduction = {
  plane: ControlPlane;
  pods: LocalPods;
  router: AlbRouter;
  recorder: ClusterRecorder;
  /** The helm arguments of every sync: Argo CD's for prod, the GitOps repository's values file. */
  helmArgs: string[];
  /** What caught a rolled-back candidate, once the AnalysisRun failed. */
  caught?: string[];
};
