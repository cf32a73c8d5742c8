/**
 * Fake nodes (kwok plays their kubelets) shaped like the EKS managed node groups Terraform
 * creates (terraform/platform/main.tf, the module's node_groups.tf): the groups' own labels and taints, plus
 * the labels EKS puts on every node of a managed group, so the chart's nodeSelectors, tolerations
 * and zone spreading meet what they would meet in the cluster.
 */
import type { ApiClient } from "./api.js";

/** kwok manages only nodes carrying this annotation (its --manage-nodes-with-annotation-selector). */
export const KWOK_NODE_ANNOTATION = { key: "kwok.x-k8s.io/node", value: "fake" } as const;

type Taint = { key: string; value: string; effect: "NoSchedule" | "NoExecute" | "PreferNoSchedule" };
type Resources = { cpu: string; memory: string; pods: string; "nvidia.com/gpu"?: string };

export type NodeGroup = {
  /** Terraform's key of the group, which EKS also uses as the node group's name. */
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  capacityType: "ON_DEMAND" | "SPOT";
  instanceType: string;
  /** What a node of that instance type reports (EKS AMI: kube-reserved taken off allocatable). */
  capacity: Resources;
  allocatable: Resources;
  zones: string[];
};

const REGION = "eu-central-1";
const [ZONE_A, ZONE_B, ZONE_C] = ["a", "b", "c"].map((z) => `${REGION}${z}`) as [string, string, string];

/** The prod layout: three zones (prod enforces three), one GPU node (the group scales from zero). */
export const NODE_GROUPS: NodeGroup[] = [
  {
    name: "system",
    labels: { "infergate.io/pool": "system" },
    taints: [{ key: "CriticalAddonsOnly", value: "true", effect: "NoSchedule" }],
    capacityType: "ON_DEMAND",
    instanceType: "m6i.large",
    capacity: { cpu: "2", memory: "7910Mi", pods: "29" },
    allocatable: { cpu: "1930m", memory: "7220Mi", pods: "29" },
    zones: [ZONE_A, ZONE_B, ZONE_C],
  },
  {
    name: "inference-spot",
    labels: { "infergate.io/pool": "inference" },
    taints: [],
    capacityType: "SPOT",
    instanceType: "m6i.xlarge",
    capacity: { cpu: "4", memory: "15900Mi", pods: "58" },
    allocatable: { cpu: "3920m", memory: "14880Mi", pods: "58" },
    zones: [ZONE_A, ZONE_B, ZONE_C],
  },
  {
    name: "gpu",
    labels: { "infergate.io/pool": "gpu" },
    taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }],
    capacityType: "ON_DEMAND",
    instanceType: "g5.xlarge",
    capacity: { cpu: "4", memory: "15900Mi", pods: "58", "nvidia.com/gpu": "1" },
    allocatable: { cpu: "3920m", memory: "14880Mi", pods: "58", "nvidia.com/gpu": "1" },
    zones: [ZONE_A],
  },
];

/** A private address per node, as each EC2 instance has (10.0.<group>.<zone>). */
function internalIp(group: NodeGroup, zone: string): string {
  return `10.0.${NODE_GROUPS.indexOf(group) + 1}.${group.zones.indexOf(zone) + 10}`;
}

export function nodeName(group: NodeGroup, zone: string): string {
  return `${group.name}-${zone.slice(-1)}`;
}

/** The Node object as a kubelet would register it (kwok then keeps its status). */
export function nodeManifest(group: NodeGroup, zone: string): object {
  const name = nodeName(group, zone);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value },
      labels: {
        ...group.labels,
        // What EKS and the kubelet label every managed-group node with.
        "eks.amazonaws.com/nodegroup": group.name,
        "eks.amazonaws.com/capacityType": group.capacityType,
        "node.kubernetes.io/instance-type": group.instanceType,
        "topology.kubernetes.io/region": REGION,
        "topology.kubernetes.io/zone": zone,
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux",
        "kubernetes.io/hostname": name,
      },
    },
    spec: { taints: group.taints },
    status: {
      capacity: group.capacity,
      allocatable: group.allocatable,
      // kwok's node-initialize stage keeps addresses it finds; without them it gives every node the
      // same (or no) InternalIP, and Pods would report no hostIP.
      addresses: [
        { type: "InternalIP", address: internalIp(group, zone) },
        { type: "Hostname", address: name },
      ],
    },
  };
}

export function allNodes(): { group: NodeGroup; zone: string; name: string }[] {
  return NODE_GROUPS.flatMap((group) =>
    group.zones.map((zone) => ({ group, zone, name: nodeName(group, zone) })),
  );
}

export async function createNodes(api: ApiClient): Promise<void> {
  await Promise.all(
    allNodes().map(({ group, zone }) => api.create("/api/v1/nodes", nodeManifest(group, zone), true)),
  );
}

type NodeList = {
  items: {
    metadata: { name: string };
    spec?: { taints?: { key: string }[] };
    status?: { conditions?: { type: string; status: string }[] };
  }[];
};

/**
 * Names of our nodes that are not schedulable yet: not Ready, or still carrying a taint the node
 * lifecycle controller puts on nodes that are not (yet) ready.
 */
export async function unreadyNodes(api: ApiClient): Promise<string[]> {
  const list = await api.get<NodeList>("/api/v1/nodes");
  const byName = new Map(list.items.map((n) => [n.metadata.name, n]));
  return allNodes()
    .map(({ name }) => name)
    .filter((name) => {
      const node = byName.get(name);
      const ready = node?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
      const notReadyTaint = node?.spec?.taints?.some((t) => t.key.startsWith("node.kubernetes.io/")) ?? false;
      return !ready || notReadyTaint;
    });
}
