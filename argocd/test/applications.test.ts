/**
 * The Applications the ApplicationSet generates from the cluster Secrets Terraform writes
 * (expanded exactly as Argo CD will), and what each deploys: project, sync policy per
 * environment, values file, Terraform's annotations reaching the rendered manifests, and an
 * AppProject that admits every kind the chart renders and no more.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { clusterSecrets, ENVIRONMENTS, environmentOf } from "../../scripts/lib/argocd-environments.js";
import { docsOf, type K8sObject } from "../../scripts/lib/helm.js";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import type { RunResult } from "../../scripts/lib/run.js";
import {
  APPLICATION_IDS,
  environmentOfId,
  environmentValues,
  expand,
  groupKind,
  type Install,
  install,
  renderDeployed,
  secretOf,
  selects,
} from "../lib/apps.js";

let i: Install;
const apps = new Map<string, K8sObject>();
const deployed = new Map<string, { render: RunResult; objects: K8sObject[] }>();

beforeAll(async () => {
  i = await install();
  for (const id of APPLICATION_IDS) {
    const app = await expand(i.appset, secretOf(id));
    apps.set(id, app);
    const render = await renderDeployed(app);
    // Argo CD skips helm test hooks; everything else is synced.
    const objects =
      render.code === 0
        ? docsOf(render.stdout).filter((d) => d.metadata.annotations?.["helm.sh/hook"] !== "test")
        : [];
    deployed.set(id, { render, objects });
  }
});

it("one Application per environment's cluster Secret: dev, staging, prod", async () => {
  const generated = await Promise.all(
    clusterSecrets()
      .filter((s) => selects(i.appset, s))
      .map((s) => expand(i.appset, s)),
  );
  expect(generated.map((a) => a.metadata.labels?.["infergate.io/environment"]).sort()).toEqual(
    [...ENVIRONMENTS].sort(),
  );
  expect(clusterSecrets().map(environmentOf).sort()).toEqual([...ENVIRONMENTS].sort());
});

describe.each(
  APPLICATION_IDS.map(
    (id) => [id === "dev-no-irsa" ? "infergate-dev (dev-no-irsa)" : `infergate-${id}`, id] as const,
  ),
)("%s", (_name, id) => {
  const env = environmentOfId(id);
  const secret = secretOf(id);
  const annotations = secret.metadata.annotations;
  const values = environmentValues(env);
  const app = () => apps.get(id) as K8sObject;
  const objects = () => deployed.get(id)?.objects ?? [];
  const sync = () => app().spec.syncPolicy ?? {};

  it("named infergate-<env>, in project infergate, namespace argocd", () => {
    expect([app().metadata.name, app().spec.project, app().metadata.namespace]).toEqual([
      `infergate-${env}`,
      "infergate",
      "argocd",
    ]);
  });

  it("source repo allowed by the project", () => {
    expect(i.project.spec.sourceRepos).toContain(app().spec.source.repoURL);
  });

  it("destination is the Secret's cluster, allowed by the project", () => {
    const { name, namespace } = app().spec.destination;
    expect(name).toBe(secret.stringData?.name);
    expect(i.project.spec.destinations).toContainEqual(expect.objectContaining({ name, namespace }));
  });

  it("the chart path exists (Chart.yaml)", () => {
    expect(existsSync(join(REPO_ROOT, app().spec.source.path, "Chart.yaml"))).toBe(true);
  });

  it(`values file of the environment exists: values-${env}.yaml`, () => {
    const valueFiles = app().spec.source.helm?.valueFiles;
    expect(valueFiles).toEqual([`values-${env}.yaml`]);
    expect(existsSync(join(REPO_ROOT, app().spec.source.path, valueFiles[0]))).toBe(true);
  });

  it("release infergate in the namespace whose ServiceAccount the IRSA role trusts (the Secret's)", () => {
    expect(app().spec.source.helm?.releaseName).toBe("infergate");
    expect(app().spec.destination.namespace).toBe(annotations.infergate_namespace);
  });

  if (env === "prod") {
    it("prod: no automated sync (manual)", () => {
      expect(sync().automated).toBeFalsy();
    });
    it("prod: a deny sync window covers it", () => {
      const windows = (i.project.spec.syncWindows ?? []) as { applications?: string[]; kind: string }[];
      expect(windows.find((w) => w.applications?.includes(app().metadata.name))?.kind).toBe("deny");
    });
  } else {
    it("automated sync with prune and selfHeal", () => {
      expect(sync().automated).toMatchObject({ prune: true, selfHeal: true });
    });
  }

  it("retry with exponential backoff", () => {
    expect(sync().retry?.limit).toBeGreaterThan(0);
    expect(sync().retry?.backoff?.factor).toBeGreaterThan(1);
    expect(sync().retry?.backoff?.duration).toBeTruthy();
  });

  it("CreateNamespace=true", () => {
    expect(sync().syncOptions ?? []).toContain("CreateNamespace=true");
  });

  it("chart renders with the app's values file and parameters", () => {
    const { render } = deployed.get(id) ?? {};
    expect(render?.code, render?.stderr).toBe(0);
  });

  // What Terraform put on the cluster Secret is what the deployed objects carry.
  if (annotations.infergate_irsa_role_arn !== undefined) {
    it("ServiceAccount: name and IRSA role from the cluster Secret", () => {
      const sa = objects().find((d) => d.kind === "ServiceAccount");
      expect(sa?.metadata.name).toBe(annotations.infergate_service_account_name);
      expect(sa?.metadata.annotations?.["eks.amazonaws.com/role-arn"]).toBe(
        annotations.infergate_irsa_role_arn,
      );
    });
  } else {
    // No role: the pods take the node role's or EKS Pod Identity's credentials; not even an empty annotation.
    it("ServiceAccount: name from the cluster Secret, no IRSA role annotation (no role in the Secret)", () => {
      const sa = objects().find((d) => d.kind === "ServiceAccount");
      expect(sa?.metadata.name).toBe(annotations.infergate_service_account_name);
      expect(sa?.metadata.annotations ?? {}).not.toHaveProperty(["eks.amazonaws.com/role-arn"]);
    });
  }

  it("model repository and region from the cluster Secret", () => {
    const config = objects().find(
      (d) => d.kind === "ConfigMap" && d.data?.INFERGATE_MODEL_REPOSITORY !== undefined,
    );
    expect(config?.data).toMatchObject({
      INFERGATE_MODEL_REPOSITORY: annotations.infergate_model_repository,
      AWS_REGION: annotations.infergate_aws_region,
    });
  });

  it("every image from the cluster Secret's repository", () => {
    const images = JSON.stringify(objects()).match(/"image":"[^"]+"/g) ?? [];
    expect(images.length).toBeGreaterThan(0);
    const repository = annotations.infergate_image_repository;
    expect(
      images.filter(
        (x) => !x.startsWith(`"image":"${repository}:`) && !x.startsWith(`"image":"${repository}@`),
      ),
    ).toEqual([]);
  });

  if (values.ingress?.enabled) {
    // No host name annotation: the rule matches any host (an internal ALB without TLS).
    it("Ingress host from the cluster Secret (or any host without one)", () => {
      const ingress = objects().find((d) => d.kind === "Ingress");
      const hosts = (ingress?.spec.rules ?? []).map((r: { host?: string }) => r.host);
      expect(hosts.length).toBeGreaterThan(0);
      for (const host of hosts) expect(host).toBe(annotations.infergate_ingress_hostname);
    });
  }

  it("project admits every kind the chart renders", () => {
    const allowed = new Set(
      i.project.spec.namespaceResourceWhitelist.map(
        (k: { group: string; kind: string }) => `${k.group}/${k.kind}`,
      ),
    );
    expect(objects().length).toBeGreaterThan(0);
    expect([...new Set(objects().map(groupKind))].filter((k) => !allowed.has(k))).toEqual([]);
  });

  const workload = () => objects().find((d) => d.kind === "Deployment" || d.kind === "Rollout") as K8sObject;
  if (values.autoscaling?.enabled) {
    it("HPA on: ignoreDifferences on the workload's /spec/replicas, respected at sync", () => {
      const ignore = (
        (app().spec.ignoreDifferences ?? []) as { kind: string; name: string; jsonPointers?: string[] }[]
      ).find((d) => d.kind === workload().kind && d.name === workload().metadata.name);
      expect(ignore?.jsonPointers ?? []).toContain("/spec/replicas");
      expect(sync().syncOptions ?? []).toContain("RespectIgnoreDifferences=true");
    });
  }

  const rollout = values.rollout?.enabled === true;
  it(`workload kind ${rollout ? "Rollout" : "Deployment"} as values say`, () => {
    expect(workload()?.kind).toBe(rollout ? "Rollout" : "Deployment");
  });
});

// No stale entries: each allowed kind is rendered by some environment (Deployment and Rollout
// are both legitimate: rollout.enabled switches between them).
it("project whitelist has no kind the chart never renders", () => {
  const rendered = new Set([...deployed.values()].flatMap((d) => d.objects.map(groupKind)));
  const unused = i.project.spec.namespaceResourceWhitelist
    .map((k: { group: string; kind: string }) => `${k.group}/${k.kind}`)
    .filter((k: string) => !rendered.has(k) && k !== "apps/Deployment");
  expect(rendered.size).toBeGreaterThan(0);
  expect(unused).toEqual([]);
});
