/**
 * `helm lint --strict` with each environment's values, and the guards that refuse bad values:
 * values.schema.json rejects unknown keys; the templates fail on unsafe or inconsistent settings.
 */
import { describe, expect, it } from "vitest";
import { argoCdHelmArgs, ENVIRONMENTS } from "../../scripts/lib/argocd-environments.js";
import { helm, helmTemplate } from "../../scripts/lib/helm.js";
import { K8S_VERSION } from "../../scripts/lib/kubeconform.js";
import type { RunResult } from "../../scripts/lib/run.js";
import { CHART, NAMESPACE } from "../lib/chart.js";

const lint = (args: readonly string[]) =>
  helm(["lint", "--strict", CHART, "--kube-version", K8S_VERSION, ...args]);
const template = (args: readonly string[]) => helmTemplate("infergate", CHART, NAMESPACE, args);
const output = (r: RunResult) => r.stdout + r.stderr;

describe("helm lint --strict", () => {
  it("passes with the default values", async () => {
    const r = await lint([]);
    expect(r.code, output(r)).toBe(0);
  });

  it.each(ENVIRONMENTS)(
    "passes for %s (values-<env>.yaml + the cluster Secret's parameters)",
    async (env) => {
      const r = await lint(await argoCdHelmArgs(env));
      expect(r.code, output(r)).toBe(0);
    },
  );
});

describe("bad values are refused", () => {
  const cases: { name: string; run: () => Promise<RunResult>; error: RegExp }[] = [
    {
      name: "values typo (image.tagg) is rejected by values.schema.json",
      run: () => lint(["--set", "image.tagg=1.0"]),
      error: /additional properties 'tagg' not allowed|tagg/,
    },
    {
      name: "nested values typo (metrics.serviceMonitor.enabeld) is rejected",
      run: () => lint(["--set", "metrics.serviceMonitor.enabeld=true"]),
      error: /enabeld/,
    },
    {
      name: "weakened security context (readOnlyRootFilesystem=false) is rejected",
      run: () => template(["--set", "containerSecurityContext.readOnlyRootFilesystem=false"]),
      error: /readOnlyRootFilesystem/,
    },
    {
      name: "grace period not above the drain deadline is rejected",
      run: () => template(["--set", "config.drainTimeoutMs=30000"]),
      error: /terminationGracePeriodSeconds .* must exceed/,
    },
    {
      name: "ALB canary routing without an Ingress is rejected",
      run: () =>
        template(["--set", "rollout.enabled=true", "--set", "rollout.trafficRouting.alb.enabled=true"]),
      error: /needs ingress.enabled/,
    },
    {
      name: "gRPC port equal to the HTTP containerPort is rejected",
      run: () => template(["--set", "grpc.port=8080"]),
      error: /grpc.port \(8080\) must differ from containerPort/,
    },
    {
      name: "gRPC values typo (grpc.prot) is rejected by values.schema.json",
      run: () => lint(["--set", "grpc.prot=8081"]),
      error: /additional properties 'prot' not allowed/,
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, { run, error }) => {
    const r = await run();
    expect(r.code).not.toBe(0);
    expect(output(r)).toMatch(error);
  });
});
