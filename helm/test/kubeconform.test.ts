/**
 * Every environment's render, and renders with the optional features, validated by kubeconform
 * -strict offline (core kinds and the pinned CRDs); and proof that the validation is strict:
 * misspelt fields and kinds without a schema fail.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { argoCdHelmArgs } from "../../scripts/lib/argocd-environments.js";
import { countKinds } from "../../scripts/lib/helm.js";
import { ALL_VALID, kubeconform, kubeconformSchemas } from "../../scripts/lib/kubeconform.js";
import { renderChart } from "../lib/chart.js";
import { renderScenario, SCENARIOS } from "../lib/scenarios.js";

beforeAll(() => kubeconformSchemas().then(() => undefined));

/** Passes when kubeconform -strict accepts every object and validated at least one. */
async function expectValid(yaml: string): Promise<void> {
  expect(countKinds(yaml)).toBeGreaterThan(0);
  const r = await kubeconform({ yaml });
  expect(r.output).toMatch(ALL_VALID);
  expect(r.code, r.output).toBe(0);
}

describe("kubeconform -strict accepts", () => {
  const environments = SCENARIOS.filter((s) => s.label !== "defaults").map((s) => [s.name, s] as const);
  it.each(environments)("%s as Argo CD deploys it", async (_name, s) => {
    await expectValid((await renderScenario(s)).yaml);
  });

  it("every optional feature on (prod)", async () => {
    const r = await renderChart([
      ...(await argoCdHelmArgs("prod")),
      ...["--set", "gpu.enabled=true", "--set", "autoscaling.customMetric.enabled=true"],
      ...["--set", "admin.existingSecret=infergate-admin", "--set", `image.digest=sha256:${"a".repeat(64)}`],
      ...[
        "--set",
        "lifecycle.preStopSleepSeconds=0",
        "--set",
        "config.extra.NODE_OPTIONS=--max-old-space-size=1536",
      ],
    ]);
    await expectValid(r.yaml);
  });

  it("the default values", async () => {
    await expectValid((await renderChart()).yaml);
  });

  it("prod with gRPC off", async () => {
    await expectValid(
      (await renderChart([...(await argoCdHelmArgs("prod")), "--set", "grpc.enabled=false"])).yaml,
    );
  });
});

describe("the validation is strict", () => {
  it("the core schema rejects a misspelt Deployment field (fixture)", async () => {
    const r = await kubeconform(["helm/test/fixtures/deployment-misspelt.yaml"]);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/additional properties 'readOnlyRootFilesytem' not allowed/);
  });

  it("the core schema rejects the rendered dev Deployment with one field misspelt", async () => {
    const dev = SCENARIOS.find((s) => s.label === "dev" && !s.rollout);
    if (!dev) throw new Error("no dev scenario");
    const yaml = (await renderScenario(dev)).yaml;
    expect(yaml).toContain("readOnlyRootFilesystem: true");
    const r = await kubeconform({
      yaml: yaml.replaceAll("readOnlyRootFilesystem: true", "readOnlyRootFilesytem: true"),
    });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/Deployment infergate is invalid.*readOnlyRootFilesytem/);
  });

  it("the CRD schema rejects a misspelt Rollout field (fixture)", async () => {
    const r = await kubeconform(["helm/test/fixtures/rollout-misspelt.yaml"]);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/setWieght/);
  });

  it("a kind without a schema is an error, not skipped", async () => {
    const r = await kubeconform(["helm/test/fixtures/unknown-kind.yaml"]);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/could not find schema for Widget/);
  });
});
