/**
 * What the report says about production on the local control plane, one line each: what ran for
 * real, what kwok or the rehearsal played, and what cannot be real on this machine.
 */
import { basename } from "node:path";

/** The environment the rehearsal plays, as Argo CD deploys it, and where. */
export const ENVIRONMENT = "prod";
export const NAMESPACE = "infergate";
/** prod's pauses (5, 10, 10 min) cut to a twentieth: the same walk in about 75 s. */
export const PAUSE_DIVISOR = 20;

/** The release a pinned CRD folder is of ("argo-rollouts@v1.10.2" → "v1.10.2"). */
export function releaseOf(folders: string[], name: string): string {
  const folder = folders.map((f) => basename(f)).find((f) => f.startsWith(`${name}@`));
  return folder?.slice(name.length + 1) ?? "(unknown release)";
}

export function realLines(o: { kubernetes: string; rollouts: string; verdictPid: number }): string[] {
  return [
    `kube-apiserver ${o.kubernetes} (RBAC, admission with PodSecurity restricted enforced on namespace ${NAMESPACE}), etcd, kube-controller-manager (ReplicaSets, EndpointSlices, HPA, PDB) and kube-scheduler (the chart's zone spread over the Terraform node groups), all on 127.0.0.1 (kube/control-plane.ts)`,
    `the Argo Rollouts controller ${o.rollouts}: the Rollout's canary ReplicaSet, its steps, the stable and canary Services' selectors, the weights on the Ingress, the AnalysisRun, the promotion or the abort`,
    `the chart, installed and upgraded by helm with the helm arguments Argo CD's Application passes for ${ENVIRONMENT}, its values file being the GitOps repository's`,
    `the analysis: the AnalysisTemplate rendered from helm/infergate/files/canary-analysis.yaml; its fast-fail metrics query Prometheus, its verdict metric calls \`infergate canary serve\` (pid ${o.verdictPid}) over the same Prometheus, which scrapes the pods' processes with each Pod's live track label`,
    "the pods' processes: the service (`npm start`) serving production's S3 repository (moto) with each Pod's environment, the model versions and every answer real",
  ];
}

export function simulatedLines(o: { redirected: number }): string[] {
  const redirected =
    o.redirected > 0
      ? `; ${o.redirected} requests whose group had no serving target yet (a kwok Pod is Ready before its process starts) went to the other group`
      : "";
  return [
    "nodes: kwok's fake nodes shaped like the Terraform node groups; no kubelet runs and no image is pulled: kwok makes a scheduled Pod Running and Ready at once",
    "containers: each Ready server Pod's container is an infergate process on this machine, started with the Pod's environment as the kubelet resolves it (127.0.0.1 and a free port, 1 worker, the S3 emulator's credentials where the IRSA webhook would inject a role) and ended as the kubelet ends it: out of the endpoints, the Pod's preStop sleep, SIGTERM and drain",
    `ALB: no AWS Load Balancer Controller or ALB here; the rehearsal sends each production request to the Ingress's target groups by the weights the Argo Rollouts controller writes on it, to a ready endpoint (the EndpointSlice controller's) whose process passes the health check${redirected}`,
  ];
}

export const NOT_REAL_HERE = [
  `cluster: a local control plane (kube/) stands in for EKS: its API server, controllers and the Argo Rollouts controller are real; nodes and pods are kwok's, their containers processes on this machine, the ALB played by the rehearsal (report.md, "On the local control plane")`,
  `cluster sync: Argo CD does not run here; its sync is \`helm upgrade\` with the helm arguments its Application passes for ${ENVIRONMENT} and the GitOps repository's values file, changed by set-values.ts; the change is committed once the controller has promoted (on a cluster the commit comes first and a rolled-back one is reverted)`,
  `canary timing: ${ENVIRONMENT}'s canary pauses cut to a twentieth (at least 5 s), the analysis window 20 s in 2 s steps, the verdict every 10 s after 20 s, the fast-fail metrics every 5 s`,
  `manual gate: ${ENVIRONMENT}'s last step waits for a person (\`kubectl argo rollouts promote\`); the rehearsal makes that change once the verdict says promote, and aborts if it never does`,
  "metrics-server: none here, so the HPA reads no CPU and the Rollout stays at minReplicas",
] as const;
