/**
 * How the chart wires gRPC (Open Inference Protocol over h2c), read off a render: the env
 * variable, the container port, every Service that has the `http` port, the NetworkPolicy rules
 * and the Ingress backends, so the tests compare them with what the values asked for.
 */
import type { K8sObject } from "../../scripts/lib/helm.js";
import type { Rendered } from "./chart.js";
import { workloadOf } from "./workload.js";

type Port = {
  name?: string;
  port?: number | string;
  containerPort?: number;
  targetPort?: string;
  protocol?: string;
  appProtocol?: string;
};
type Peer = { namespaceSelector?: unknown; podSelector?: { matchLabels?: Record<string, string> } };
type IngressRule = { ports?: Port[]; from?: Peer[] };

const admitsPort = (rule: IngressRule, name: string) =>
  (rule.ports ?? []).some((p) => p.port === name && p.protocol === "TCP");
const isPrometheus = (peer: Peer) =>
  Boolean(peer.namespaceSelector) &&
  peer.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "prometheus";

export function grpcWiring(r: Rendered) {
  const w = workloadOf(r);
  const services = r.find("Service");
  const np = r.one("NetworkPolicy");
  const rulesFor = (port: string) =>
    ((np?.spec.ingress ?? []) as IngressRule[]).filter((rule) => admitsPort(rule, port));
  const peersOf = (port: string): Peer[] => rulesFor(port).flatMap((rule) => rule.from ?? []);
  const ingress = r.one("Ingress");
  return {
    configPort: w.config.INFERGATE_GRPC_PORT,
    envNames: ((w.server.env ?? []) as { name: string }[]).map((e) => e.name),
    containerPorts: (w.server.ports as Port[]).filter((p) => p.name === "grpc"),
    /** Services with the `http` port, each with its ports. */
    httpServices: services
      .filter((s: K8sObject) => (s.spec.ports as Port[]).some((p) => p.name === "http"))
      .map((s: K8sObject) => ({ name: s.metadata.name, ports: s.spec.ports as Port[] })),
    allServicePorts: services.flatMap((s: K8sObject) => s.spec.ports as Port[]),
    networkPolicy: np,
    /** Peers admitted to port http other than Prometheus (which only scrapes), and to port grpc. */
    httpClients: peersOf("http").filter((peer) => !isPrometheus(peer)),
    grpcPeers: peersOf("grpc"),
    /** NetworkPolicy ingress rules that open port grpc (to any peer, or to all when they list none). */
    grpcRules: rulesFor("grpc").length,
    ingressBackends: ingress
      ? (
          ingress.spec.rules as {
            http: { paths: { backend: { service: { port: Port & { number?: number } } } }[] };
          }[]
        ).flatMap((rule) => rule.http.paths.map((p) => p.backend.service.port))
      : undefined,
  };
}
