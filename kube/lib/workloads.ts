/**
 * Reading what the controllers made of a release: its pods, the label selections the API server
 * answers, events, and waiting for the workload (a Deployment, or an Argo Rollouts Rollout) to be
 * rolled out. Everything is asked of the API server, as `kubectl` would.
 */
import type { ApiClient } from "./api.js";
import { kubectl } from "./kubectl.js";

export type Pod = {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: {
    nodeName?: string;
    containers: { name: string; env?: EnvVar[]; resources?: Record<string, Record<string, string>> }[];
  };
  status: { phase: string; conditions?: { type: string; status: string }[] };
};
export type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { resource: string; divisor?: string };
    configMapKeyRef?: object;
    secretKeyRef?: object;
  };
};
export type KubeEvent = { reason: string; message: string; involvedObject: { kind: string; name: string } };

const selectorQuery = (labels: Record<string, string>) =>
  encodeURIComponent(
    Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
  );

/** The pods the API server selects with these labels (what a Service or PDB selector takes). */
export async function podsSelectedBy(api: ApiClient, namespace: string, labels: Record<string, string>) {
  const path = `/api/v1/namespaces/${namespace}/pods?labelSelector=${selectorQuery(labels)}`;
  return (await api.get<{ items: Pod[] }>(path)).items;
}

export const isReady = (pod: Pod) =>
  pod.status.phase === "Running" &&
  !pod.metadata.deletionTimestamp &&
  (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

/** The release's server pods (component=server), as the chart labels them. */
export function serverPods(api: ApiClient, namespace: string, release = "infergate") {
  return podsSelectedBy(api, namespace, {
    "app.kubernetes.io/instance": release,
    "app.kubernetes.io/component": "server",
  });
}

export async function events(api: ApiClient, namespace: string): Promise<KubeEvent[]> {
  return (await api.get<{ items: KubeEvent[] }>(`/api/v1/namespaces/${namespace}/events`)).items;
}

/** Waits until the workload is rolled out: a Deployment's rollout status, a Rollout's Healthy phase. */
export async function waitRolledOut(
  kubeconfig: string,
  namespace: string,
  kind: "Deployment" | "Rollout",
  timeoutSeconds = 90,
): Promise<void> {
  const args =
    kind === "Deployment"
      ? ["rollout", "status", "deployment/infergate", `--timeout=${timeoutSeconds}s`]
      : [
          "wait",
          "--for=jsonpath={.status.phase}=Healthy",
          "rollout/infergate",
          `--timeout=${timeoutSeconds}s`,
        ];
  const r = await kubectl(kubeconfig, ["-n", namespace, ...args]);
  if (r.code === 0) return;
  const phase = await kubectl(kubeconfig, [
    "-n",
    namespace,
    "get",
    `${kind.toLowerCase()}/infergate`,
    "-o",
    "jsonpath={.status}",
  ]);
  throw new Error(`${namespace}/${kind} infergate not rolled out: ${r.stderr}\nstatus: ${phase.stdout}`);
}

/** The workload's scale subresource selector: the pods the HPA measures. */
export async function scaleSelector(api: ApiClient, namespace: string, kind: "Deployment" | "Rollout") {
  const path =
    kind === "Deployment"
      ? `/apis/apps/v1/namespaces/${namespace}/deployments/infergate/scale`
      : `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/infergate/scale`;
  const scale = await api.get<{ status: { selector: string } }>(path);
  return Object.fromEntries(scale.status.selector.split(",").map((kv) => kv.split("=") as [string, string]));
}
