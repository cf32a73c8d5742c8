/**
 * The service chart on a real API server (kube/control-plane.ts, the pinned CRDs and the Argo
 * Rollouts controller): each environment installed with the helm arguments Argo CD passes into a
 * namespace enforcing PodSecurity `restricted`, its objects strictly validated server-side, its
 * pods scheduled by the real scheduler onto the fake Terraform node groups (kwok makes them
 * Running and Ready), `helm test`, upgrade and rollback, admission refusing a privileged variant,
 * and the Argo CD objects accepted with the real CRDs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  applicationsByEnvironment,
  argoCdHelmArgs,
  clusterSecrets,
  ENVIRONMENTS,
  renderInstall,
} from "../../scripts/lib/argocd-environments.js";
import type { K8sObject } from "../../scripts/lib/helm.js";
import { runOk } from "../../scripts/lib/run.js";
import { type ControlPlane, startControlPlane } from "../control-plane.js";
import { crdFolders, installCrds } from "../lib/crds.js";
import { createRestrictedNamespaces, environmentValues, helm, helmOk, releaseArgs } from "../lib/helm.js";
import { applyServerSide, kubectl } from "../lib/kubectl.js";
import { startRolloutsController } from "../lib/rollouts.js";
import {
  events,
  isReady,
  podsSelectedBy,
  scaleSelector,
  serverPods,
  waitRolledOut,
} from "../lib/workloads.js";

let plane: ControlPlane;
const kube = (args: string[], stdin?: string) => kubectl(plane.kubeconfig, args, stdin);

beforeAll(async () => {
  await runOk("bash", ["scripts/tools.sh", "kube"], { timeoutMs: 1_800_000 });
  plane = await startControlPlane();
  await installCrds(plane.kubeconfig, crdFolders(plane.toolsDir));
  await startRolloutsController(plane);
}, 1_900_000);

afterAll(async () => {
  await plane?.stop();
}, 60_000);

/** `helm template` for this cluster: its version and API groups (as Argo CD renders for it). */
async function render(namespace: string, args: readonly string[]): Promise<string> {
  return helmOk(plane.kubeconfig, [
    "template",
    "infergate",
    "helm/infergate",
    "-n",
    namespace,
    "--validate",
    ...args,
  ]);
}

describe.each(ENVIRONMENTS)("%s, as Argo CD deploys it", (env) => {
  const namespace = `infergate-${env}`;
  const values = environmentValues(env);
  const kind = values.rollout.enabled ? "Rollout" : "Deployment";
  const replicas = values.autoscaling.enabled ? values.autoscaling.minReplicas : values.replicaCount;
  let args: string[];
  let installed: string;
  beforeAll(async () => {
    args = await argoCdHelmArgs(env);
    await createRestrictedNamespaces(plane.kubeconfig, [namespace]);
  });

  it("every object is accepted server-side with strict field validation, without a warning", async () => {
    const applied = await kube(
      [
        "apply",
        "--server-side",
        "--dry-run=server",
        "--validate=strict",
        "--field-manager=argocd",
        "-f",
        "-",
      ],
      await render(namespace, args),
    );
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(
      `${kind.toLowerCase()}.${kind === "Rollout" ? "argoproj.io" : "apps"}/infergate serverside-applied (server dry run)`,
    );
  });

  it(`helm install: the ${kind} rolls out, ${replicas} pod(s) Running and Ready on the inference nodes from the start`, async () => {
    installed = await helmOk(plane.kubeconfig, releaseArgs("install", namespace, args));
    await waitRolledOut(plane.kubeconfig, namespace, kind);
    const pods = await serverPods(plane.api, namespace);
    expect(pods.filter(isReady)).toHaveLength(replicas);
    for (const pod of pods) expect(pod.spec.nodeName).toMatch(/^inference-spot-[abc]$/);
    if (values.topologySpread.zoneWhenUnsatisfiable === "DoNotSchedule")
      expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(replicas);
    // The first ReplicaSet is created at the HPA's minimum, not at Kubernetes' default of 1.
    const scaled = (await events(plane.api, namespace)).filter((e) => e.reason === "ScalingReplicaSet");
    expect(scaled[0]?.message).toMatch(new RegExp(`from 0 to ${replicas}$`));
  });

  it("helm test: the hook Pod is admitted, scheduled and completes", async () => {
    const r = await helm(plane.kubeconfig, ["test", "infergate", "-n", namespace, "--timeout", "60s"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/TEST SUITE: +infergate-test-infer\n.*\n.*\nPhase: +Succeeded/);
  });

  it("the helm test Pod is selected by none of the Services, the PDB, the NetworkPolicy or the HPA's scale", async () => {
    // The hook Pod is deleted once it succeeds: a copy under another name stands in for it.
    const hooks = parseAllDocuments(
      await helmOk(plane.kubeconfig, ["get", "hooks", "infergate", "-n", namespace]),
    );
    const testPod = hooks.map((d) => d.toJS()).find((d) => d?.kind === "Pod");
    testPod.metadata.name = "test-infer-copy";
    delete testPod.metadata.annotations;
    expect((await applyServerSide(plane.kubeconfig, [testPod])).code).toBe(0);
    type Labels = Record<string, string>;
    // Services select by `selector`, PDBs by `selector.matchLabels`, NetworkPolicies by `podSelector`.
    type Selecting = {
      spec: { selector: Labels & { matchLabels: Labels }; podSelector: { matchLabels: Labels } };
    };
    const get = async (resource: string) =>
      JSON.parse((await kube(["-n", namespace, "get", resource, "-o", "json"])).stdout).items as Selecting[];
    const selectors = [
      ...(await get("services")).map((s) => s.spec.selector),
      ...(await get("poddisruptionbudgets")).map((p) => p.spec.selector.matchLabels),
      ...(await get("networkpolicies")).map((n) => n.spec.podSelector.matchLabels),
      await scaleSelector(plane.api, namespace, kind),
    ];
    // The Service (plus -canary and -stable with the Rollout), PDB, NetworkPolicy and scale.
    const services = values.rollout.enabled ? 3 : 1;
    expect(selectors).toHaveLength(services + (values.pdb.create ? 1 : 0) + 2);
    const servers = (await serverPods(plane.api, namespace)).map((p) => p.metadata.name).sort();
    for (const selector of selectors) {
      const selected = (await podsSelectedBy(plane.api, namespace, selector)).map((p) => p.metadata.name);
      expect(selected.sort(), JSON.stringify(selector)).toEqual(servers);
    }
  });

  if (values.autoscaling.enabled) {
    it("the HPA holds minReplicas but cannot read CPU without metrics-server, and helm install warned", async () => {
      expect(installed).toContain(
        "WARNING: the HPA scales on CPU, but this cluster serves no resource metrics API",
      );
      const condition = await kube([
        "-n",
        namespace,
        "wait",
        "--for=jsonpath={.status.conditions[?(@.type=='ScalingActive')].reason}=FailedGetResourceMetric",
        "hpa/infergate",
        "--timeout=90s",
      ]);
      expect(condition.code, condition.stderr).toBe(0);
      const hpa = JSON.parse((await kube(["-n", namespace, "get", "hpa/infergate", "-o", "json"])).stdout);
      expect(hpa.status.currentReplicas).toBe(replicas);
    });
  }

  if (values.rollout.enabled) {
    it("scale-down delays with traffic routing (ALB), and the controller accepts them", async () => {
      const rollout = JSON.parse(
        (await kube(["-n", namespace, "get", "rollout/infergate", "-o", "json"])).stdout,
      );
      const canary = rollout.spec.strategy.canary;
      expect(canary.trafficRouting?.alb).toBeDefined();
      expect([canary.scaleDownDelaySeconds, canary.abortScaleDownDelaySeconds]).toEqual([30, 30]);
      expect(rollout.status.phase).toBe("Healthy");
    });
  }
});

describe("the Argo CD objects, with the real Argo CD CRDs", () => {
  it("the install render, Terraform's cluster Secrets and the generated Applications are accepted, nothing pruned", async () => {
    const install = await renderInstall();
    expect(install.ok, install.stderr).toBe(true);
    const generated = [...(await applicationsByEnvironment()).values()];
    // The fixtures are whole Secret manifests (Terraform's output), typed by the fields Argo CD reads.
    const secrets = clusterSecrets() as unknown as K8sObject[];
    const objects: K8sObject[] = [...install.docs, ...secrets, ...generated];
    expect(objects.map((o) => o.kind).sort()).toEqual(
      [
        "AppProject",
        "Application",
        "ApplicationSet",
        ...ENVIRONMENTS.flatMap(() => ["Application", "Secret"]),
      ].sort(),
    );
    const namespaced: K8sObject[] = objects.map((o) => ({
      ...o,
      metadata: { ...o.metadata, namespace: "argocd" },
    }));
    await applyServerSide(plane.kubeconfig, [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "argocd" } },
    ]);
    const applied = await kube(
      ["apply", "--server-side", "--validate=strict", "--field-manager=argocd", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "List", items: namespaced }),
    );
    expect(applied.code, applied.stderr).toBe(0);
    // The API server's only remark: Argo CD's own finalizer name is not domain-qualified.
    for (const line of applied.stderr.split("\n").filter(Boolean))
      expect(line).toMatch(
        /^Warning: metadata\.finalizers: "resources-finalizer\.argocd\.argoproj\.io": prefer/,
      );
    // A structural schema drops fields it does not know: every spec must come back as sent.
    for (const sent of namespaced.filter((o) => o.spec)) {
      const resource = `${sent.kind.toLowerCase()}.argoproj.io/${sent.metadata.name}`;
      const stored = JSON.parse((await kube(["-n", "argocd", "get", resource, "-o", "json"])).stdout);
      expect(stored.spec, resource).toEqual(sent.spec);
    }
  });
});
