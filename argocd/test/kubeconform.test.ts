/**
 * What Argo CD applies, validated by kubeconform -strict offline against the pinned Argo CD CRDs
 * and the strict core schemas: the install (AppProject, root Application, ApplicationSet), each
 * generated Application, and what each Application deploys. A misspelt Application field fails.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { countKinds } from "../../scripts/lib/helm.js";
import { ALL_VALID, kubeconform, kubeconformSchemas } from "../../scripts/lib/kubeconform.js";
import { APPLICATION_IDS, expand, type Install, install, renderDeployed, secretOf } from "../lib/apps.js";

let i: Install;
beforeAll(async () => {
  await kubeconformSchemas();
  i = await install();
});

async function expectValid(yaml: string): Promise<void> {
  expect(countKinds(yaml)).toBeGreaterThan(0);
  const r = await kubeconform({ yaml });
  expect(r.output).toMatch(ALL_VALID);
  expect(r.code, r.output).toBe(0);
}

it("the CRD schemas hold Argo CD's kinds", async () => {
  const { crds } = await kubeconformSchemas();
  for (const kind of ["application", "applicationset", "appproject"]) {
    expect(existsSync(join(crds, "argoproj.io", `${kind}_v1alpha1.json`)), kind).toBe(true);
  }
});

it("the strict CRD schema rejects a misspelt Application field (fixture)", async () => {
  const r = await kubeconform(["argocd/test/fixtures/application-misspelt.yaml"]);
  expect(r.code).not.toBe(0);
  expect(r.output).toMatch(/selfHeel/);
});

it("kubeconform -strict (Argo CD CRD schemas): what the install applies (project, root app, ApplicationSet)", async () => {
  await expectValid(i.yaml);
});

// dev-no-irsa: the dev cluster Secret without the IRSA role annotation (enable_irsa = false).
describe.each(APPLICATION_IDS)("%s", (id) => {
  it("kubeconform -strict: the Application generated for it", async () => {
    await expectValid(stringify(await expand(i.appset, secretOf(id))));
  });

  it("kubeconform -strict: what its Application deploys", async () => {
    const r = await renderDeployed(await expand(i.appset, secretOf(id)));
    expect(r.code, r.stderr).toBe(0);
    await expectValid(r.stdout);
  });
});
