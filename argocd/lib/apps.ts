/**
 * What the argocd tests look at: the Argo CD chart as installed (AppProject, root Application,
 * ApplicationSet), the Application the ApplicationSet generates per cluster Secret (the
 * fixtures, plus dev without its optional IRSA annotation), and what each Application deploys.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { type ClusterSecret, clusterSelectors, selectorMatches } from "../../scripts/lib/appset.js";
import {
  clusterSecrets,
  environmentOf,
  expand,
  parameterArgs,
  renderInstall,
} from "../../scripts/lib/argocd-environments.js";
import { helmTemplate, type K8sObject } from "../../scripts/lib/helm.js";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import type { RunResult } from "../../scripts/lib/run.js";

export type Install = { yaml: string; project: K8sObject; root: K8sObject; appset: K8sObject };

/** argocd/apps as the one-time install renders it; throws when it does not render all three objects. */
export async function install(): Promise<Install> {
  const r = await renderInstall();
  if (!r.ok) throw new Error(`argocd/apps does not render: ${r.stderr}`);
  const project = r.docs.find((d) => d.kind === "AppProject" && d.metadata.name === "infergate");
  const root = r.docs.find((d) => d.kind === "Application" && d.metadata.name === "infergate-apps");
  const appset = r.docs.find((d) => d.kind === "ApplicationSet");
  if (!project || !root || !appset)
    throw new Error("argocd/apps renders no AppProject, root Application or ApplicationSet");
  return { yaml: r.stdout, project, root, appset };
}

/**
 * The Applications tested, by id: one per cluster Secret fixture (dev, staging, prod) and
 * `dev-no-irsa`, the dev Secret without the IRSA role annotation (Terraform's enable_irsa = false
 * leaves it out), which must still get its Application.
 */
export const APPLICATION_IDS = ["dev", "staging", "prod", "dev-no-irsa"] as const;
export type ApplicationId = (typeof APPLICATION_IDS)[number];
export const environmentOfId = (id: ApplicationId) => (id === "dev-no-irsa" ? "dev" : id);

/** A copy of an environment's cluster Secret fixture, edited. */
export function secretVariant(edit: (s: ClusterSecret) => void, env = "dev"): ClusterSecret {
  const fixture = clusterSecrets().find((s) => environmentOf(s) === env);
  if (!fixture) throw new Error(`no cluster Secret fixture for ${env}`);
  const secret = structuredClone(fixture);
  edit(secret);
  return secret;
}

export function secretOf(id: ApplicationId): ClusterSecret {
  return secretVariant((s) => {
    if (id === "dev-no-irsa") delete s.metadata.annotations.infergate_irsa_role_arn;
  }, environmentOfId(id));
}

/** Whether the ApplicationSet's cluster generators select a Secret. */
export const selects = (appset: K8sObject, secret: ClusterSecret) =>
  clusterSelectors(appset).some((s) => selectorMatches(s, secret.metadata.labels));

export { expand };

/** `helm template` of what an Application deploys, as Argo CD renders it: values files, then parameters. */
export function renderDeployed(app: K8sObject): Promise<RunResult> {
  const src = app.spec.source;
  const valueFiles = ((src.helm?.valueFiles ?? []) as string[]).flatMap((v) => ["-f", join(src.path, v)]);
  return helmTemplate(src.helm.releaseName, src.path, app.spec.destination.namespace, [
    ...valueFiles,
    ...parameterArgs(app),
  ]);
}

/** An environment's values file of the service chart, as it states them. */
// biome-ignore lint/suspicious/noExplicitAny: values are free-form YAML
export function environmentValues(env: string): Record<string, any> {
  return parse(readFileSync(join(REPO_ROOT, "helm", "infergate", `values-${env}.yaml`), "utf8")) ?? {};
}

/** `group/Kind` of an object ("" for the core group), as AppProject whitelists name kinds. */
export const groupKind = (d: K8sObject) =>
  `${d.apiVersion.includes("/") ? d.apiVersion.split("/")[0] : ""}/${d.kind}`;
