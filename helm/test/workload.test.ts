/**
 * The workload of every scenario (defaults and each environment, canary off and on): replicas vs
 * HPA, hardening, probes, drain vs grace, config, ServiceAccount and IRSA, scheduling, selectors,
 * NetworkPolicy and the helm test pod.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { CHART, matches, type Rendered } from "../lib/chart.js";
import { renderScenario, SCENARIOS, scenarioArgs, setValue } from "../lib/scenarios.js";
import { required, type Workload, workloadOf } from "../lib/workload.js";

const helmTestScript = readFileSync(join(REPO_ROOT, CHART, "files", "helm-test.js"), "utf8");

describe.each(SCENARIOS.map((s) => [s.name, s] as const))("%s", (_name, s) => {
  let r: Rendered;
  let w: Workload;
  let args: string[];
  beforeAll(async () => {
    args = await scenarioArgs(s);
    r = await renderScenario(s);
    w = workloadOf(r);
  });

  it("exactly one workload of the right kind", () => {
    expect({ deployments: r.find("Deployment").length, rollouts: r.find("Rollout").length }).toEqual(
      s.rollout ? { deployments: 0, rollouts: 1 } : { deployments: 1, rollouts: 0 },
    );
  });

  if (s.values.autoscaling.enabled) {
    // Without a cluster to look the live count up in (helm template, Argo CD): the HPA's minimum,
    // not Kubernetes' default of 1 (kube/test/chart.test.ts: an upgrade keeps the live count).
    it("replicas start at the HPA's minReplicas when the HPA is on", () => {
      expect(w.object.spec.replicas).toBe(s.values.autoscaling.minReplicas);
    });
    it("HPA targets the workload", () => {
      expect(required(r, "HorizontalPodAutoscaler").spec.scaleTargetRef).toMatchObject({
        kind: w.object.kind,
        name: w.object.metadata.name,
        apiVersion: w.object.apiVersion,
      });
    });
    it("HPA scales on CPU utilisation", () => {
      expect(required(r, "HorizontalPodAutoscaler").spec.metrics).toContainEqual(
        expect.objectContaining({
          type: "Resource",
          resource: expect.objectContaining({
            name: "cpu",
            target: expect.objectContaining({ type: "Utilization" }),
          }),
        }),
      );
    });
  } else {
    it("replicas set and no HPA when autoscaling is off", () => {
      expect(Number.isInteger(w.object.spec.replicas)).toBe(true);
      expect(r.one("HorizontalPodAutoscaler")).toBeUndefined();
    });
  }

  it("pod runs as non-root uid/gid 1000 with RuntimeDefault seccomp", () => {
    expect(w.pod.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("container: read-only root, no privilege escalation, drop ALL, not privileged, RuntimeDefault seccomp", () => {
    const csc = w.server.securityContext;
    expect(csc).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(csc.capabilities.drop).toEqual(["ALL"]);
    expect(csc.capabilities.add).toBeFalsy();
  });

  it("service account token not mounted", () => {
    expect(w.pod.spec.automountServiceAccountToken).toBe(false);
  });

  it("model cache dir is a writable emptyDir mount", () => {
    expect(w.config.INFERGATE_MODEL_CACHE_DIR).toBe("/var/cache/infergate");
    const mount = w.server.volumeMounts.find(
      (m: { mountPath: string }) => m.mountPath === "/var/cache/infergate",
    );
    expect(mount).toBeDefined();
    expect(mount.readOnly).toBeFalsy();
    const volume = w.pod.spec.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume?.emptyDir).toBeTruthy();
  });

  it("resources: cpu and memory requests and limits set", () => {
    for (const k of ["requests", "limits"]) {
      expect(w.server.resources?.[k]?.cpu, k).toBeTruthy();
      expect(w.server.resources?.[k]?.memory, k).toBeTruthy();
    }
  });

  it("liveness probe on /v2/health/live", () => {
    expect(w.server.livenessProbe?.httpGet).toMatchObject({ path: "/v2/health/live", port: "http" });
  });

  it("readiness probe on /v2/health/ready", () => {
    expect(w.server.readinessProbe?.httpGet).toMatchObject({ path: "/v2/health/ready", port: "http" });
  });

  it("startup probe on /v2/health/ready allows >= 2 minutes for model download", () => {
    const probe = w.server.startupProbe;
    expect(probe?.httpGet).toMatchObject({ path: "/v2/health/ready", port: "http" });
    expect(probe.failureThreshold * probe.periodSeconds).toBeGreaterThanOrEqual(120);
  });

  it("container port named http matches PORT", () => {
    expect(w.server.ports).toContainEqual(
      expect.objectContaining({ name: "http", containerPort: Number(w.config.PORT) }),
    );
    expect(w.config.HOST).toBe("0.0.0.0");
  });

  it("terminationGracePeriodSeconds exceeds drain timeout + preStop sleep", () => {
    const drainMs = Number(w.config.INFERGATE_DRAIN_TIMEOUT_MS);
    const sleepS = w.server.lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(w.pod.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(drainMs + sleepS * 1000);
  });

  // Inline, so each ReplicaSet keeps its own settings (kube/test/canary.test.ts: a stable pod
  // started during a canary runs stable's model version); the ConfigMap holds the same, to read.
  it("config inline in the pod template's env, equal to the ConfigMap's data", () => {
    expect(w.server.envFrom).toBeUndefined();
    const env = Object.fromEntries(
      (w.server.env as { name: string; value?: string }[])
        .filter((e) => e.value !== undefined)
        .map((e) => [e.name, e.value]),
    );
    expect(env).toEqual(w.config);
  });

  it("config checksum annotation on the pod template", () => {
    expect(w.pod.metadata.annotations?.["checksum/config"]).toMatch(/^[a-f0-9]{64}$/);
  });

  it("INFERGATE_TRACK comes from the pod label `track` (downward API)", () => {
    const track = w.server.env.find((e: { name: string }) => e.name === "INFERGATE_TRACK");
    expect(track?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.labels['track']");
  });

  // The role comes from the values file or, as Argo CD deploys the environments, from a parameter.
  const roleArn = () => setValue(args, "serviceAccount.irsaRoleArn") ?? s.values.serviceAccount.irsaRoleArn;
  if (s.label !== "defaults") {
    it("an IRSA role is set for the environment", () => {
      expect(roleArn()).toBeTruthy();
    });
  }

  it("ServiceAccount named infergate, used by the pods, token automount off", () => {
    const sa = required(r, "ServiceAccount");
    expect(sa.metadata.name).toBe("infergate");
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(w.pod.spec.serviceAccountName).toBe("infergate");
  });

  if (s.label !== "defaults" || s.values.serviceAccount.irsaRoleArn) {
    it("IRSA role annotation", () => {
      expect(required(r, "ServiceAccount").metadata.annotations?.["eks.amazonaws.com/role-arn"]).toBe(
        roleArn(),
      );
    });
  }

  it("topology spread across zones selects the pods", () => {
    const zone = w.pod.spec.topologySpreadConstraints?.find(
      (c: { topologyKey: string }) => c.topologyKey === "topology.kubernetes.io/zone",
    );
    expect(zone).toBeDefined();
    expect(matches(zone.labelSelector.matchLabels, w.pod.metadata.labels)).toBe(true);
  });

  it("main Service selects the pods on port http", () => {
    const svc = required(r, "Service", "infergate");
    expect(matches(svc.spec.selector, w.pod.metadata.labels)).toBe(true);
    expect(svc.spec.ports[0].targetPort).toBe("http");
  });

  if (s.values.pdb.create) {
    it("PDB selects the pods", () => {
      expect(
        matches(required(r, "PodDisruptionBudget").spec.selector.matchLabels, w.pod.metadata.labels),
      ).toBe(true);
    });
  }

  if (s.values.networkPolicy.enabled) {
    it("NetworkPolicy selects the pods, denies by default both ways", () => {
      const np = required(r, "NetworkPolicy");
      expect(matches(np.spec.podSelector.matchLabels, w.pod.metadata.labels)).toBe(true);
      expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    });
    it("NetworkPolicy admits Prometheus", () => {
      const peers = required(r, "NetworkPolicy").spec.ingress.flatMap((i: { from: unknown[] }) => i.from);
      expect(peers).toContainEqual(
        expect.objectContaining({
          namespaceSelector: expect.anything(),
          podSelector: expect.objectContaining({
            matchLabels: expect.objectContaining({ "app.kubernetes.io/name": "prometheus" }),
          }),
        }),
      );
    });
    it("NetworkPolicy allows DNS egress", () => {
      const ports = required(r, "NetworkPolicy").spec.egress.flatMap(
        (e: { ports?: unknown[] }) => e.ports ?? [],
      );
      expect(ports).toContainEqual(expect.objectContaining({ port: 53, protocol: "UDP" }));
    });
    it("NetworkPolicy admits the helm test pod", () => {
      const test = required(r, "Pod", "infergate-test-infer");
      const peers = required(r, "NetworkPolicy").spec.ingress.flatMap((i: { from: unknown[] }) => i.from);
      const admitted = peers.some(
        (f: { podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: unknown }) =>
          f.podSelector && !f.namespaceSelector && matches(f.podSelector.matchLabels, test.metadata.labels),
      );
      expect(admitted).toBe(true);
    });
  }

  it("helm test pod is not selected as a server pod (Services, PDB, NetworkPolicy, workload)", () => {
    const labels = required(r, "Pod", "infergate-test-infer").metadata.labels;
    const selectors = [
      ...r.find("Service").map((svc) => svc.spec.selector),
      w.object.spec.selector.matchLabels,
      ...r.find("PodDisruptionBudget").map((pdb) => pdb.spec.selector.matchLabels),
      ...r.find("NetworkPolicy").map((np) => np.spec.podSelector.matchLabels),
    ];
    expect(selectors.length).toBeGreaterThan(1);
    for (const selector of selectors) expect(matches(selector, labels)).toBe(false);
  });

  it("helm test pod: hook, hardened, runs the readiness + infer script", () => {
    const test = required(r, "Pod", "infergate-test-infer");
    expect(test.metadata.annotations?.["helm.sh/hook"]).toBe("test");
    expect(test.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(test.spec.containers[0].args[0]).toBe(helmTestScript);
  });
});
