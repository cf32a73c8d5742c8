/**
 * Command lines of the control plane's processes. Everything listens on 127.0.0.1 on ports picked
 * free at start, so several control planes (parallel test runs) can share a machine.
 */
import { join } from "node:path";
import { type Pki, SERVICE_CLUSTER_IP_RANGE } from "./certs.js";
import { KWOK_NODE_ANNOTATION } from "./nodes.js";

export type Ports = {
  etcdClient: number;
  etcdPeer: number;
  apiServer: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
};

export type Kubeconfigs = { admin: string; controllerManager: string; scheduler: string; kwok: string };

export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

export function etcdArgs(dataDir: string, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    "--name=local",
    `--data-dir=${join(dataDir, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=local=${peer}`,
    // The data is thrown away with the temp dir; fsync on a disk shared with a parallel test run
    // only adds write latency (and the API server's slow-request warnings).
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ];
}

export function apiServerArgs(dataDir: string, ports: Ports, pki: Pki): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${ports.apiServer}`,
    `--cert-dir=${join(dataDir, "apiserver")}`,
    `--tls-cert-file=${pki.apiServer.cert}`,
    `--tls-private-key-file=${pki.apiServer.key}`,
    `--client-ca-file=${pki.ca.cert}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.serviceAccount.publicKey}`,
    `--service-account-signing-key-file=${pki.serviceAccount.privateKey}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    "--authorization-mode=Node,RBAC",
    // PodSecurity is on by default; named here because the tests depend on it. NodeRestriction
    // as on a real cluster (kwok does not authenticate as a node, so it is not restricted).
    "--enable-admission-plugins=NodeRestriction,PodSecurity",
    // Privileged containers are allowed by the API server itself, so that refusing them is
    // PodSecurity admission's decision per namespace, as on EKS.
    "--allow-privileged=true",
    // The default reconciler publishes the advertise address as the `kubernetes` Service's
    // endpoint and refuses a loopback one; there is no in-cluster client to reach it anyway.
    "--endpoint-reconciler-type=none",
  ];
}

/** Health endpoints of the controller-manager and scheduler need their own delegated auth config. */
const delegatedAuth = (kubeconfig: string) => [
  `--kubeconfig=${kubeconfig}`,
  `--authentication-kubeconfig=${kubeconfig}`,
  `--authorization-kubeconfig=${kubeconfig}`,
  "--bind-address=127.0.0.1",
  // One instance: no leader election, whose lease acquisition delays the start by seconds.
  "--leader-elect=false",
];

export function controllerManagerArgs(ports: Ports, pki: Pki, kubeconfigs: Kubeconfigs): string[] {
  return [
    ...delegatedAuth(kubeconfigs.controllerManager),
    `--secure-port=${ports.controllerManager}`,
    `--service-account-private-key-file=${pki.serviceAccount.privateKey}`,
    // Published in every namespace as the kube-root-ca.crt ConfigMap (projected SA volumes use it).
    `--root-ca-file=${pki.ca.cert}`,
    `--cluster-signing-cert-file=${pki.ca.cert}`,
    `--cluster-signing-key-file=${pki.ca.key}`,
    // Each controller acts as its own service account, so RBAC applies to them as in a cluster.
    "--use-service-account-credentials=true",
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    "--cluster-name=infergate-local",
    // kwok renews the fake nodes' Ready condition every 20-45 s (its heartbeat stage, no leases:
    // see kwokArgs). The default 50 s grace would mark nodes NotReady, taint them and evict their
    // Pods whenever a busy machine delays one renewal.
    "--node-monitor-grace-period=5m",
  ];
}

export function schedulerArgs(ports: Ports, kubeconfigs: Kubeconfigs): string[] {
  return [...delegatedAuth(kubeconfigs.scheduler), `--secure-port=${ports.scheduler}`];
}

export function kwokArgs(ports: Ports, kubeconfigs: Kubeconfigs, stageFiles: string[]): string[] {
  return [
    `--kubeconfig=${kubeconfigs.kwok}`,
    "--manage-all-nodes=false",
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
    // With node leases kwok's Pod handling waits on lease ownership and Pods stall on lease
    // conflicts; without them it manages every Pod on its nodes straight away.
    "--node-lease-duration-seconds=0",
    "--cidr=10.244.0.0/16",
    `--server-address=127.0.0.1:${ports.kwok}`,
    // Only these stages, never a kwok configuration found in the user's home directory.
    ...stageFiles.map((file) => `--config=${file}`),
  ];
}
