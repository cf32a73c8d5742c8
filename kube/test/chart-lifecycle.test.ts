/**
 * The chart's releases over time on a real API server and Argo Rollouts controller: upgrade and
 * rollback, the canary switched on in dev (the controller used to refuse the Rollout), an upgrade
 * that must not undo the HPA's count, GPU pods on the Terraform GPU group, and PodSecurity
 * admission refusing a privileged variant of the chart's own pods.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { argoCdHelmArgs } from "../../scripts/lib/argocd-environments.js";
import { docsOf, type K8sObject } from "../../scripts/lib/helm.js";
import { runOk } from "../../scripts/lib/run.js";
import { type ControlPlane, startControlPlane } from "../control-plane.js";
import { crdFolders, installCrds } from "../lib/crds.js";
import { createRestrictedNamespaces, helm, helmOk, releaseArgs } from "../lib/helm.js";
import { applyServerSide, kubectl } from "../lib/kubectl.js";
import { startRolloutsController } from "../lib/rollouts.js";
import { isReady, serverPods, waitRolledOut } from "../lib/workloads.js";

let plane: ControlPlane;
const kube = (args: string[], stdin?: string) => kubectl(plane.kubeconfig, args, stdin);
const getJson = async (namespace: string, resource: string) =>
  JSON.parse((await kube(["-n", namespace, "get", resource, "-o", "json"])).stdout);
const envOf = (pod: { spec: { containers: { env?: { name: string; value?: string }[] }[] } }) =>
  Object.fromEntries((pod.spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]));

beforeAll(async () => {
  await runOk("bash", ["scripts/tools.sh", "kube"], { timeoutMs: 1_800_000 });
  plane = await startControlPlane();
  await installCrds(plane.kubeconfig, crdFolders(plane.toolsDir));
  await startRolloutsController(plane);
  await createRestrictedNamespaces(plane.kubeconfig, [
    "upgrades",
    "canary",
    "autoscaled-deployment",
    "autoscaled-rollout",
    "gpu",
    "variant",
  ]);
}, 1_900_000);

afterAll(async () => {
  await plane?.stop();
}, 60_000);

describe("releases over time", () => {
  it("dev: helm upgrade rolls the pods to the new settings, helm rollback brings the old ones back", async () => {
    const dev = await argoCdHelmArgs("dev");
    const logLevel = async () =>
      (await serverPods(plane.api, "upgrades")).filter(isReady).map((p) => envOf(p).LOG_LEVEL);
    await helmOk(plane.kubeconfig, releaseArgs("install", "upgrades", dev));
    await waitRolledOut(plane.kubeconfig, "upgrades", "Deployment");
    expect(await logLevel()).toEqual(["debug"]);
    await helmOk(
      plane.kubeconfig,
      releaseArgs("upgrade", "upgrades", [...dev, "--set", "config.logLevel=warn"]),
    );
    await waitRolledOut(plane.kubeconfig, "upgrades", "Deployment");
    expect(await logLevel()).toEqual(["warn"]);
    await helmOk(plane.kubeconfig, [
      "rollback",
      "infergate",
      "1",
      "-n",
      "upgrades",
      "--wait",
      "--timeout",
      "90s",
    ]);
    await waitRolledOut(plane.kubeconfig, "upgrades", "Deployment");
    expect(await logLevel()).toEqual(["debug"]);
    const history = JSON.parse(
      await helmOk(plane.kubeconfig, ["history", "infergate", "-n", "upgrades", "-o", "json"]),
    );
    expect(
      history.map((h: { revision: number; status: string; description: string }) => [
        h.revision,
        h.status,
        h.description,
      ]),
    ).toEqual([
      [1, "superseded", "Install complete"],
      [2, "superseded", "Upgrade complete"],
      [3, "deployed", "Rollback to 1"],
    ]);
  });

  it("dev with the canary on: the Rollout becomes Healthy; the old null workaround survives --reuse-values", async () => {
    // Before the fix: Degraded, "InvalidSpec: ... scaleDownDelaySeconds: Invalid value: 30: Canary
    // scaleDownDelaySeconds can only be used with traffic routing"; with `=null` on install, the
    // schema refused the stored null on every `helm upgrade --reuse-values`.
    const dev = [...(await argoCdHelmArgs("dev")), "--set", "rollout.enabled=true"];
    await helmOk(
      plane.kubeconfig,
      releaseArgs("install", "canary", [...dev, "--set", "rollout.scaleDownDelaySeconds=null"]),
    );
    await waitRolledOut(plane.kubeconfig, "canary", "Rollout");
    const canary = (await getJson("canary", "rollout/infergate")).spec.strategy.canary;
    expect(canary).not.toHaveProperty("scaleDownDelaySeconds");
    expect(canary).not.toHaveProperty("abortScaleDownDelaySeconds");
    const reused = await helm(plane.kubeconfig, [
      "upgrade",
      "infergate",
      "helm/infergate",
      "-n",
      "canary",
      "--reuse-values",
      "--set",
      "config.logLevel=info",
    ]);
    expect(reused.stderr).toBe("");
    expect(reused.code).toBe(0);
    // The settings changed, so the controller starts a canary: accepted, not Degraded.
    const phase = await kube([
      "-n",
      "canary",
      "wait",
      "--for=jsonpath={.status.phase}=Paused",
      "rollout/infergate",
      "--timeout=60s",
    ]);
    expect(phase.code, phase.stderr).toBe(0);
  });

  // helm patches a Deployment three-way (a rendered minReplicas would undo the HPA's count) and a
  // Rollout, a custom resource, two-way; the chart renders the live count for both.
  it.each(["Deployment", "Rollout"] as const)(
    "staging (%s): an upgrade keeps the replica count the HPA set, not minReplicas",
    async (kind) => {
      const namespace = `autoscaled-${kind.toLowerCase()}`;
      const staging = [
        ...(await argoCdHelmArgs("staging")),
        "--set",
        `rollout.enabled=${kind === "Rollout"}`,
      ];
      await helmOk(plane.kubeconfig, releaseArgs("install", namespace, staging));
      await waitRolledOut(plane.kubeconfig, namespace, kind);
      const resource = `${kind.toLowerCase()}/infergate`;
      expect((await getJson(namespace, resource)).spec.replicas).toBe(2);
      // What the HPA does on load: write the scale subresource.
      expect((await kube(["-n", namespace, "scale", resource, "--replicas=4"])).code).toBe(0);
      await helmOk(
        plane.kubeconfig,
        releaseArgs("upgrade", namespace, [...staging, "--set", "config.logLevel=debug"]),
      );
      expect((await getJson(namespace, resource)).spec.replicas).toBe(4);
      if (kind === "Deployment") {
        // (The Rollout now walks its canary steps with ALB traffic routing: Paused, not done.)
        await waitRolledOut(plane.kubeconfig, namespace, kind);
        expect((await serverPods(plane.api, namespace)).filter(isReady)).toHaveLength(4);
      }
    },
  );
});

describe("scheduling and admission", () => {
  it("gpu.enabled: the pod lands on the Terraform GPU group's node with an nvidia.com/gpu", async () => {
    const args = [...(await argoCdHelmArgs("dev")), "--set", "gpu.enabled=true"];
    await helmOk(plane.kubeconfig, releaseArgs("install", "gpu", args));
    await waitRolledOut(plane.kubeconfig, "gpu", "Deployment");
    const [pod] = await serverPods(plane.api, "gpu");
    expect(pod?.spec.nodeName).toBe("gpu-a");
    expect(pod?.spec.containers[0]?.resources?.limits?.["nvidia.com/gpu"]).toBe("1");
  });

  it("a privileged variant of the chart's pods is refused by PodSecurity admission", async () => {
    const rendered = docsOf(
      await helmOk(plane.kubeconfig, [
        "template",
        "infergate",
        "helm/infergate",
        "-n",
        "variant",
        "--validate",
      ]),
    );
    const privileged = (o: K8sObject): K8sObject => {
      const spec = o.kind === "Pod" ? o.spec : o.spec.template.spec;
      for (const c of spec.containers)
        c.securityContext = { ...c.securityContext, privileged: true, allowPrivilegeEscalation: true };
      return { ...o, metadata: { ...o.metadata, name: `${o.metadata.name}-privileged`, annotations: {} } };
    };
    const pod = privileged(rendered.find((o) => o.kind === "Pod") as K8sObject);
    const refused = await applyServerSide(plane.kubeconfig, [pod]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'pods "infergate-test-infer-privileged" is forbidden: violates PodSecurity "restricted:latest": privileged',
    );
    // A Deployment is admitted with a warning; the Pods its ReplicaSet asks for are refused.
    const deployment = privileged(rendered.find((o) => o.kind === "Deployment") as K8sObject);
    const serviceAccount = rendered.find((o) => o.kind === "ServiceAccount") as K8sObject;
    const warned = await applyServerSide(plane.kubeconfig, [serviceAccount, deployment]);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain('would violate PodSecurity "restricted:latest": privileged');
    const failed = await kube([
      "-n",
      "variant",
      "wait",
      "--for=condition=ReplicaFailure",
      "replicaset",
      "-l",
      "app.kubernetes.io/instance=infergate",
      "--timeout=60s",
    ]);
    expect(failed.code, failed.stderr).toBe(0);
    const rs = (await getJson("variant", "replicasets")).items[0];
    expect(rs.status.conditions[0].message).toMatch(
      /forbidden: violates PodSecurity "restricted:latest": privileged/,
    );
    expect(rs.status.readyReplicas ?? 0).toBe(0);
  });
});
