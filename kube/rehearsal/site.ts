/**
 * `infergate rehearse --platform kube`: production as the chart's prod release on a local control
 * plane (kube/control-plane.ts) with the CRDs and the Argo Rollouts controller, installed as Argo
 * CD would from the GitOps repository's values file, serving the rehearsal's S3 repository. kwok's
 * Pods are played by infergate processes under the rehearsal's supervisor (LocalPods), Prometheus
 * scrapes them with their live tracks, the verdict endpoint (`infergate canary serve`) judges for
 * the AnalysisRun, and production's requests go where the ALB would send them (AlbRouter).
 * Loaded at run time by tools/src/rehearse/site-loader.ts; the stages are canary-stage.ts and
 * promote-stage.ts.
 */
import { join } from "node:path";
import { RehearsalError } from "../../tools/src/rehearse/errors.js";
import { startPrometheus } from "../../tools/src/rehearse/prometheus-server.js";
import type { SiteOptions } from "../../tools/src/rehearse/site-options.js";
import type { ProductionSite } from "../../tools/src/rehearse/stages/context.js";
import { startControlPlane } from "../control-plane.js";
import { AlbRouter } from "../lib/alb-router.js";
import { canaryHelmArgs } from "../lib/canary-release.js";
import { crdFolders, installCrds } from "../lib/crds.js";
import { createRestrictedNamespaces, helmOk, RELEASE, releaseArgs } from "../lib/helm.js";
import { LocalPods } from "../lib/local-pods.js";
import { startRolloutsController } from "../lib/rollouts.js";
import { scrapeSelector, writeScrapeTargets } from "../lib/scrape-targets.js";
import { kubeCanary } from "./canary-stage.js";
import { ClusterRecorder } from "./cluster-record.js";
import type { KubeProduction } from "./kube-production.js";
import {
  ENVIRONMENT,
  NAMESPACE,
  NOT_REAL_HERE,
  PAUSE_DIVISOR,
  realLines,
  releaseOf,
  simulatedLines,
} from "./lines.js";
import { supervisedLauncher } from "./pod-launcher.js";
import { kubePromote } from "./promote-stage.js";
import { waitForStable } from "./stable-pods.js";
import { startVerdicts } from "./verdict-endpoint.js";

export async function startKubeSite(o: SiteOptions): Promise<ProductionSite> {
  const tools = await o.supervisor.run("install-kube", "bash", ["scripts/tools.sh", "kube", "crds"], {
    cwd: o.root,
  });
  if (tools.code !== 0) throw new RehearsalError(`bash scripts/tools.sh kube crds failed; see ${tools.log}`);
  const plane = await startControlPlane();
  const stopped: (() => Promise<void> | void)[] = [() => plane.stop()];
  const stop = async () => {
    for (const s of stopped.reverse()) await s();
  };
  try {
    const folders = crdFolders(plane.toolsDir).filter((f) => !/argo-cd/.test(f));
    const kubernetes = (await plane.api.get<{ gitVersion: string }>("/version")).gitVersion;
    o.progress.line(
      `  control plane ${kubernetes} up in ${(plane.startupMs / 1000).toFixed(1)} s (${plane.dataDir})`,
    );
    await installCrds(plane.kubeconfig, folders);
    await startRolloutsController(plane);
    await createRestrictedNamespaces(plane.kubeconfig, [NAMESPACE]);
    const labels = { namespace: NAMESPACE, job: RELEASE };
    const targets = join(o.scratch, "kube-targets.json");
    writeScrapeTargets(targets, [], labels);
    const prometheus = await startPrometheus(o.supervisor, o.root, o.scratch, {
      file: targets,
      selector: scrapeSelector(labels),
    });
    const verdicts = await startVerdicts(o, prometheus.url);
    const recorder = new ClusterRecorder(plane.api, NAMESPACE, RELEASE, o.progress.startedAt);
    const launch = supervisedLauncher(o.supervisor, o.root, o.s3.env);
    const pods = new LocalPods(plane.api, NAMESPACE, o.production.model, launch, (running) =>
      writeScrapeTargets(targets, running, labels),
    );
    const router = new AlbRouter(plane.api, NAMESPACE, RELEASE, () => pods.running());
    stopped.push(
      () => pods.stop(),
      () => router.stop(),
      () => recorder.stop(),
    );
    pods.start();
    await router.start();
    recorder.start();
    const helmArgs = await canaryHelmArgs({
      env: ENVIRONMENT,
      valuesFile: o.gitops.valuesFile,
      endpoints: { prometheus: prometheus.url, verdicts: verdicts.url },
      config: {
        "config.modelRepository": o.s3.repository,
        "config.s3Endpoint": o.s3.env.INFERGATE_S3_ENDPOINT ?? "",
        "config.s3ForcePathStyle": true,
        "config.awsRegion": o.s3.env.AWS_REGION ?? "",
      },
      pauseDivisor: PAUSE_DIVISOR,
    });
    await helmOk(plane.kubeconfig, releaseArgs("install", NAMESPACE, helmArgs));
    recorder.act("rehearsal, as Argo CD", `Application/infergate-${ENVIRONMENT}`, "Sync", "helm install");
    const k: KubeProduction = { plane, pods, router, recorder, helmArgs };
    const stable = await waitForStable(o, k, prometheus.url);
    o.progress.line(
      `  production: Rollout ${RELEASE} Healthy in namespace ${NAMESPACE}, ${stable.length} pods serving v${o.production.version} from S3 (${stable.map((p) => `${p.name} on ${p.node}, pid ${p.pid}`).join("; ")}); Prometheus at ${prometheus.url}, verdicts at ${verdicts.url}`,
    );
    return {
      platform: "kube",
      route: () => router.route(),
      prometheus,
      stableVersion: async () => servedVersion(router.targets(`${RELEASE}-stable`).map((p) => p.versions)),
      canary: (ctx) => kubeCanary(ctx, k),
      promote: (ctx) => kubePromote(ctx, k),
      notRealHere: NOT_REAL_HERE,
      record: () =>
        recorder.record({
          real: realLines({
            kubernetes,
            rollouts: releaseOf(folders, "argo-rollouts"),
            verdictPid: verdicts.pid,
          }),
          simulated: simulatedLines({ redirected: router.redirected }),
          pods: pods.all().map((p) => ({
            name: p.name,
            node: p.node,
            track: p.track,
            process: `infergate (npm start), pid ${p.pid}`,
            versions: p.versions,
          })),
        }),
      caughtBy: () => k.caught,
      processes: () =>
        plane.processes.map((p) => ({
          name: `kube: ${p.name}`,
          pid: p.pid,
          exit: p.exit ? (p.exit.signal ?? `code ${p.exit.code}`) : "running",
        })),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The one version every pod behind the stable Service serves (null if none or they differ). */
function servedVersion(versions: string[][]): number | null {
  const all = new Set(versions.map((v) => v.join(",")));
  return all.size === 1 ? Number([...all][0]) || null : null;
}
