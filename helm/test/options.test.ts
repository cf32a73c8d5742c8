/**
 * Options that are off by default (GPU, custom-metric HPA, admin token, image digest, IRSA) and
 * that a config change rolls the pods.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type Rendered, renderChart } from "../lib/chart.js";
import { required, workloadOf } from "../lib/workload.js";

describe("every optional feature on", () => {
  let r: Rendered;
  beforeAll(async () => {
    r = await renderChart([
      ...[
        "--set",
        "gpu.enabled=true",
        "--set",
        "autoscaling.enabled=true",
        "--set",
        "autoscaling.customMetric.enabled=true",
      ],
      ...["--set", "admin.existingSecret=infergate-admin", "--set", `image.digest=sha256:${"a".repeat(64)}`],
    ]);
  });

  // The label and taint of Terraform's `gpu` node group (kube/test/chart.test.ts schedules it there).
  it("gpu: nvidia.com/gpu limit, the GPU group's node label and taint toleration", () => {
    const { pod, server } = workloadOf(r);
    expect(server.resources.limits["nvidia.com/gpu"]).toBe(1);
    expect(pod.spec.nodeSelector).toEqual({ "infergate.io/pool": "gpu" });
    expect(pod.spec.tolerations).toContainEqual({
      key: "nvidia.com/gpu",
      operator: "Exists",
      effect: "NoSchedule",
    });
  });

  it("HPA custom per-pod metric", () => {
    expect(required(r, "HorizontalPodAutoscaler").spec.metrics).toContainEqual(
      expect.objectContaining({
        type: "Pods",
        pods: expect.objectContaining({
          metric: expect.objectContaining({ name: "infergate_inflight_requests" }),
        }),
      }),
    );
  });

  it("admin token from the existing Secret", () => {
    const token = workloadOf(r).server.env.find((e: { name: string }) => e.name === "INFERGATE_ADMIN_TOKEN");
    expect(token?.valueFrom?.secretKeyRef?.name).toBe("infergate-admin");
  });

  it("image digest wins over the tag", () => {
    expect(workloadOf(r).server.image).toBe(`infergate@sha256:${"a".repeat(64)}`);
  });

  it("replicas start at minReplicas with the HPA on (Deployment)", () => {
    expect(required(r, "Deployment").spec.replicas).toBe(2);
  });
});

describe("IRSA", () => {
  it("IRSA annotation from serviceAccount.irsaRoleArn", async () => {
    const arn = "arn:aws:iam::111122223333:role/x";
    const sa = required(await renderChart(["--set", `serviceAccount.irsaRoleArn=${arn}`]), "ServiceAccount");
    expect(sa.metadata.annotations?.["eks.amazonaws.com/role-arn"]).toBe(arn);
  });

  // A cluster without IRSA: Argo CD passes the parameter empty (argocd/apps/files/applicationset.yaml);
  // the pods then use the node role's or EKS Pod Identity's credentials, so no role-arn annotation at all.
  it("no IRSA annotation (not even an empty one) when serviceAccount.irsaRoleArn is empty", async () => {
    const sa = required(await renderChart(["--set-string", "serviceAccount.irsaRoleArn="]), "ServiceAccount");
    expect(sa.metadata.annotations ?? {}).not.toHaveProperty(["eks.amazonaws.com/role-arn"]);
  });
});

it("config change changes the pod template checksum", async () => {
  const checksum = async (args: string[]) =>
    workloadOf(await renderChart(args)).pod.metadata.annotations?.["checksum/config"];
  const before = await checksum([]);
  const after = await checksum(["--set", "config.logLevel=debug"]);
  expect(after).toMatch(/^[a-f0-9]{64}$/);
  expect(after).not.toBe(before);
});
