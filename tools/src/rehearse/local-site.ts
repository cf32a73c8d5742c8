/**
 * Production on the local platform (`--platform local`, the default): the service as `npm start`
 * runs it from S3 with the GitOps values' version policy and its admin API on, Prometheus scraping
 * it, and the canary and promotion as its in-server tracks (stages/canary.ts, stages/promote.ts).
 */
import { GitOpsRepository } from "./gitops.js";
import { startProduction } from "./production.js";
import { startPrometheus } from "./prometheus-server.js";
import type { SiteOptions } from "./site-options.js";
import { canary } from "./stages/canary.js";
import type { ProductionSite } from "./stages/context.js";
import { promote } from "./stages/promote.js";

/** Production on a Kubernetes cluster is what the kube platform shows; here one server is switched. */
const NOT_REAL_HERE = [
  "cluster sync: Argo CD would sync the GitOps commit and roll the pods onto the new version policy; here the running server was switched by its admin API and keeps the policy it started with",
] as const;

export async function startLocalSite(o: SiteOptions): Promise<ProductionSite> {
  const production = await startProduction(o.supervisor, {
    root: o.root,
    scratch: o.scratch,
    repository: o.s3.repository,
    model: o.production.model,
    versionPolicy: GitOpsRepository.policyOf(o.production.version),
    s3Env: o.s3.env,
  });
  o.progress.line(
    `  production at ${production.url} (pid ${production.process.pid}) serves v${o.production.version} from S3`,
  );
  const prometheus = await startPrometheus(o.supervisor, o.root, o.scratch, {
    targets: [production.target],
  });
  o.progress.line(`  Prometheus at ${prometheus.url} scrapes it every second`);
  return {
    platform: "local",
    route: () => production.url,
    prometheus,
    stableVersion: async () => (await production.admin.tracks().catch(() => undefined))?.stable ?? null,
    canary: (ctx) => canary(ctx, production.admin),
    promote: (ctx) => promote(ctx, production.admin),
    notRealHere: NOT_REAL_HERE,
    record: () => null,
    caughtBy: () => undefined,
    processes: () => [],
    // The supervisor stops the server and Prometheus with everything else it started.
    stop: async () => {},
  };
}
