/**
 * A container's environment as the kubelet resolves it when the container starts: `envFrom`
 * ConfigMaps and `valueFrom` references read from the API server at that moment, then `env`
 * (which wins). Read at start and never again, as on a node: a ConfigMap changed later does not
 * reach a running container, but it does reach every container started after the change.
 */
import type { ApiClient } from "./api.js";
import type { EnvVar, Pod } from "./workloads.js";

type ContainerResources = { resources?: Record<string, Record<string, string>> };
type ContainerEnv = ContainerResources & {
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

const QUANTITY_UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A Kubernetes quantity such as `1Gi` or `512M` in bytes (the forms the chart's limits use). */
export function quantityBytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)([kMGT]i?|Ki)?$/.exec(quantity);
  const unit = QUANTITY_UNITS[m?.[2] ?? ""];
  if (!m || unit === undefined) throw new Error(`quantity ${quantity} is not resolved here`);
  return Math.round(Number(m[1]) * unit);
}

/**
 * The downward API resource fields: the container's limit or request, divided by the divisor and
 * rounded up as the kubelet does. A limit the container does not set is the node's allocatable on
 * a real node; kwok's nodes have no such figure to offer, so it is an error here.
 */
function resourceValue(container: ContainerResources, ref: { resource: string; divisor?: string }): string {
  const [kind, name] = ref.resource.split(".") as ["limits" | "requests", string];
  const quantity = container.resources?.[kind]?.[name];
  if (quantity === undefined) throw new Error(`resourceFieldRef ${ref.resource}: the container sets none`);
  // The API server stores an unset divisor as "0", which the kubelet reads as 1.
  const divisor = quantityBytes(ref.divisor ?? "1") || 1;
  return String(Math.ceil(quantityBytes(quantity) / divisor));
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
    else if (v.valueFrom?.resourceFieldRef)
      env[v.name] = resourceValue(container ?? {}, v.valueFrom.resourceFieldRef);
    else throw new Error(`${pod.metadata.name}: env ${v.name} has a source not resolved here`);
  }
  return env;
}
