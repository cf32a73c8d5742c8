/**
 * A container's environment as the kubelet resolves it when the container starts: `envFrom`
 * ConfigMaps and `valueFrom` references read from the API server at that moment, then `env`
 * (which wins). Read at start and never again, as on a node: a ConfigMap changed later does not
 * reach a running container, but it does reach every container started after the change.
 */
import type { ApiClient } from "./api.js";
import type { EnvVar, Pod } from "./workloads.js";

type ContainerEnv = {
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string; optional?: boolean }; prefix?: string }[];
};

async function configMapData(
  api: ApiClient,
  namespace: string,
  name: string,
): Promise<Record<string, string>> {
  const res = await api.send("GET", `/api/v1/namespaces/${namespace}/configmaps/${name}`);
  if (res.status === 404) return {};
  if (res.status !== 200) throw new Error(`GET configmap ${namespace}/${name}: ${res.status} ${res.body}`);
  return (JSON.parse(res.body) as { data?: Record<string, string> }).data ?? {};
}

/** The downward API fields the chart uses: a label, the Pod's name or namespace. */
function fieldValue(pod: Pod, namespace: string, fieldPath: string): string {
  const label = /^metadata\.labels\['([^']+)'\]$/.exec(fieldPath);
  if (label) return pod.metadata.labels[label[1] as string] ?? "";
  if (fieldPath === "metadata.name") return pod.metadata.name;
  if (fieldPath === "metadata.namespace") return namespace;
  throw new Error(`fieldRef ${fieldPath} is not resolved here`);
}

export async function resolveEnv(
  api: ApiClient,
  namespace: string,
  pod: Pod,
): Promise<Record<string, string>> {
  const container = pod.spec.containers[0] as ContainerEnv | undefined;
  const env: Record<string, string> = {};
  for (const source of container?.envFrom ?? []) {
    if (!source.configMapRef)
      throw new Error(`${pod.metadata.name}: only configMapRef envFrom is resolved here`);
    const data = await configMapData(api, namespace, source.configMapRef.name);
    for (const [key, value] of Object.entries(data)) env[`${source.prefix ?? ""}${key}`] = value;
  }
  for (const v of container?.env ?? []) {
    if (v.value !== undefined) env[v.name] = v.value;
    else if (v.valueFrom?.fieldRef) env[v.name] = fieldValue(pod, namespace, v.valueFrom.fieldRef.fieldPath);
    else throw new Error(`${pod.metadata.name}: env ${v.name} has a source not resolved here`);
  }
  return env;
}
