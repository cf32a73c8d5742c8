/**
 * The pinned tools the chart's tests run (scripts/tools.sh) and the offline schemas kubeconform
 * validates against: generated, self-contained, and holding the kinds the chart renders.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { helm } from "../../scripts/lib/helm.js";
import { K8S_VERSION, kubeconformSchemas } from "../../scripts/lib/kubeconform.js";
import { runOk } from "../../scripts/lib/run.js";
import { tool } from "../../scripts/lib/tools.js";

describe("pinned tools", () => {
  it("helm is v3.22.0", async () => {
    const r = await helm(["version", "--template", "{{.Version}}"]);
    expect(r.stdout).toMatch(/^v3\.22(\.0)?$/);
  });

  it("promtool is 2.42", async () => {
    const r = await runOk(await tool("promtool"), ["--version"]);
    expect(r).toMatch(/version 2\.42/);
  });
});

describe("kubeconform's offline schemas", () => {
  it(`core kinds: strict Kubernetes ${K8S_VERSION} schemas from kubernetes-validate, self-contained`, async () => {
    const { core } = await kubeconformSchemas();
    const file = join(core, `v${K8S_VERSION}-standalone-strict`, "deployment-apps-v1.json");
    const text = readFileSync(file, "utf8");
    // kubeconform cannot follow refs into another file: every one must point inside this file.
    const refs = [...text.matchAll(/"\$ref":"([^"]*)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => !ref?.startsWith("#/$defs/"))).toEqual([]);
    const schema = JSON.parse(text) as { $defs: Record<string, unknown> };
    for (const ref of refs) expect(schema.$defs).toHaveProperty([(ref as string).slice("#/$defs/".length)]);
  });

  it("CRDs: the kinds of the pinned Argo Rollouts and prometheus-operator releases", async () => {
    const { crds } = await kubeconformSchemas();
    for (const file of [
      "argoproj.io/rollout_v1alpha1.json",
      "argoproj.io/analysistemplate_v1alpha1.json",
      "monitoring.coreos.com/servicemonitor_v1.json",
      "monitoring.coreos.com/prometheusrule_v1.json",
    ]) {
      const schema = JSON.parse(readFileSync(join(crds, file), "utf8")) as { additionalProperties?: unknown };
      expect(schema.additionalProperties, file).toBe(false);
    }
  });
});
