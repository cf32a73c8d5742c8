#!/usr/bin/env node
// Consistency checks of the Argo CD chart (argocd/apps) against the repository, the service
// chart and the cluster Secrets Terraform writes: renders the chart, expands the
// ApplicationSet for each cluster Secret fixture exactly as Argo CD will, and checks every
// generated Application (project, sync policy per environment, values files, that Terraform's
// annotations reach the rendered manifests) and the project (admits every kind the chart renders).
// Writes what it rendered to --out for argocd/test.sh to validate with kubeconform.
// Usage (repo root): node argocd/lib/check-apps.mjs [--helm PATH] [--kube-version 1.33.0] [--out DIR]
// Prints one line per check and "apps: N passed, M failed".
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { clusterSelectors, selectorMatches } from "./appset.mjs";
import { clusterSecrets, docsOf, environmentOf, expand as expandFor, parameterArgs, REPO_URL, renderInstall } from "./environments.mjs";

const { values: opts } = parseArgs({
  options: {
    helm: { type: "string", default: ".tools/bin/helm" },
    "kube-version": { type: "string", default: "1.33.0" },
    out: { type: "string", default: ".cache/argocd-test" },
  },
});
const ENVIRONMENTS = ["dev", "prod", "staging"];
const helm = (args) => spawnSync(opts.helm, args, { encoding: "utf8", maxBuffer: 64 << 20 });
mkdirSync(opts.out, { recursive: true });

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  ok ? passed++ : failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok || detail === undefined ? "" : ` -- ${JSON.stringify(detail)}`}`);
}

// ---- the Argo CD chart, rendered as the one-time install does ----
const install = renderInstall(opts.helm);
check("argocd/apps renders with repoURL set", install.ok, install.stderr);
if (!install.ok) finish();
writeFileSync(join(opts.out, "argocd-apps.yaml"), install.stdout);
const docs = install.docs;
const project = docs.find((d) => d.kind === "AppProject" && d.metadata.name === "infergate");
const root = docs.find((d) => d.kind === "Application" && d.metadata.name === "infergate-apps");
const appset = docs.find((d) => d.kind === "ApplicationSet");
check("renders the AppProject, the root Application and the ApplicationSet", Boolean(project && root && appset));
if (!(project && root && appset)) finish();

check("AppProject source repo is the repoURL given at install (no wildcard)", JSON.stringify(project.spec.sourceRepos) === JSON.stringify([REPO_URL]));
check("AppProject restricts destinations (no wildcard server/namespace)", project.spec.destinations.every((d) => d.namespace !== "*" && d.name !== "*" && d.server !== "*"));
check("AppProject cluster-scoped kinds: Namespace only", JSON.stringify(project.spec.clusterResourceWhitelist) === JSON.stringify([{ group: "", kind: "Namespace" }]));

const rootSrc = root.spec.source;
check("root app renders this chart from Git with the install's values (manages itself)", rootSrc.path === "argocd/apps" && existsSync(join(rootSrc.path, "Chart.yaml")) && rootSrc.repoURL === REPO_URL && rootSrc.helm?.valuesObject?.repoURL === REPO_URL);
check("root app syncs automatically with prune and selfHeal", root.spec.syncPolicy?.automated?.prune === true && root.spec.syncPolicy?.automated?.selfHeal === true);

check("ApplicationSet: Go templates with missingkey=error", appset.spec.goTemplate === true && (appset.spec.goTemplateOptions ?? []).includes("missingkey=error"));
check("ApplicationSet: deleting it keeps what it deployed", appset.spec.syncPolicy?.preserveResourcesOnDeletion === true);
// Only the automated block: retries and sync options still follow the template.
check("ApplicationSet: leaves an Application's automated sync alone once a person changed it (rollback)", (appset.spec.ignoreApplicationDifferences ?? []).some((d) => JSON.stringify(d.jsonPointers) === JSON.stringify(["/spec/syncPolicy/automated"])));
check("ApplicationSet: source repo and revision come from the install", appset.spec.template.spec.source.repoURL === REPO_URL && appset.spec.template.spec.source.targetRevision === rootSrc.targetRevision);

// ---- the ApplicationSet expanded against the cluster Secrets Terraform writes ----
const selectors = clusterSelectors(appset);
const selected = (secret) => selectors.some((s) => selectorMatches(s, secret.metadata.labels));
const expand = (secret) => expandFor(appset, secret, { helm: opts.helm, workDir: opts.out });
const secrets = clusterSecrets();
const apps = secrets.filter(selected).flatMap((secret) => {
  try {
    return [expand(secret)];
  } catch (e) {
    check(`the ApplicationSet expands for the ${environmentOf(secret)} cluster Secret`, false, e.message);
    return [];
  }
});
const envs = apps.map((a) => a.metadata.labels?.["infergate.io/environment"]);
check("one Application per environment's cluster Secret: dev, staging, prod", JSON.stringify([...envs].sort()) === JSON.stringify(ENVIRONMENTS), envs);

const kindsByEnv = new Map();
for (const app of apps) checkApplication(app, secrets.find((s) => s.stringData.name === app.spec.destination.name));

// whitelist has no stale entries: each allowed kind is rendered by some environment
// (Deployment and Rollout are both legitimate: rollout.enabled switches between them).
const everything = new Set([...kindsByEnv.values()].flatMap((s) => [...s]));
const unused = project.spec.namespaceResourceWhitelist.map((k) => `${k.group}/${k.kind}`).filter((k) => !everything.has(k) && k !== "apps/Deployment");
check("project whitelist has no kind the chart never renders", unused.length === 0, unused);

// ---- cluster Secrets Terraform writes with an optional annotation left out ----
const variant = (edit, env = "dev") => {
  const s = structuredClone(secrets.find((x) => environmentOf(x) === env));
  edit(s);
  return s;
};
// Terraform leaves out null values: no IRSA role with enable_irsa = false (node role or EKS Pod
// Identity instead), no host name without an ingress. Such a cluster must still get its Application.
const OPTIONAL_ANNOTATIONS = new Set(["infergate_irsa_role_arn", "infergate_ingress_hostname"]);
{
  const secret = variant((s) => delete s.metadata.annotations.infergate_irsa_role_arn);
  let app;
  try {
    app = expand(secret);
  } catch (e) {
    check("dev cluster Secret without IRSA (infergate_irsa_role_arn left out): the ApplicationSet generates its Application", false, e.message);
  }
  // the same checks as the fixtures' Applications; checkTerraformValues asserts no role-arn annotation
  if (app) checkApplication(app, secret, "dev-no-irsa");
}

// ---- cluster Secrets that must not produce a working Application ----
check("a cluster Secret without the environment label is not selected", !selected(variant((s) => delete s.metadata.labels["infergate.io/environment"])));
check("a cluster Secret of another environment (qa) is not selected", !selected(variant((s) => (s.metadata.labels["infergate.io/environment"] = "qa"))));
check("a cluster Secret of another project is not selected", !selected(variant((s) => delete s.metadata.labels["app.kubernetes.io/part-of"])));
{
  // Terraform trusting another namespace than the project admits: Argo CD refuses the sync
  // instead of deploying where IRSA does not work.
  const app = expand(variant((s) => (s.metadata.annotations.infergate_namespace = "ml-serving")));
  const allowed = project.spec.destinations.some((d) => d.name === app.spec.destination.name && d.namespace === app.spec.destination.namespace);
  check("a cluster Secret naming another namespace yields an Application the project does not admit", app.spec.destination.namespace === "ml-serving" && !allowed, app.spec.destination);
}
for (const key of Object.keys(variant(() => {}).metadata.annotations).filter((k) => !OPTIONAL_ANNOTATIONS.has(k))) {
  let error = "";
  try {
    expand(variant((s) => delete s.metadata.annotations[key]));
  } catch (e) {
    error = e.message;
  }
  check(`a cluster Secret without annotation ${key} fails to expand (missingkey=error)`, error.includes(`"${key}"`), error || "expanded");
}
{
  // The host name is optional for the expansion (dev has no Ingress), so the chart refuses TLS without it.
  const app = expand(variant((s) => delete s.metadata.annotations.infergate_ingress_hostname, "prod"));
  const r = renderChart(app);
  check("prod cluster Secret without a host name: the chart refuses to render TLS", r.status !== 0 && r.stderr.includes("ingress.alb.tls needs ingress.hostname"), r.stderr || "rendered");
}

finish();

/** `helm template` of what an Application deploys, as Argo CD renders it: values files, then parameters. */
function renderChart(app) {
  const src = app.spec.source;
  const valueFiles = (src.helm?.valueFiles ?? []).flatMap((v) => ["-f", join(src.path, v)]);
  return helm(["template", src.helm.releaseName, src.path, "-n", app.spec.destination.namespace, "--kube-version", opts["kube-version"], ...valueFiles, ...parameterArgs(app)]);
}

function finish() {
  console.log(`apps: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

/** `variantName`: a cluster Secret derived from a fixture, checked and written under that name. */
function checkApplication(app, secret, variantName = undefined) {
  const env = app.metadata.labels["infergate.io/environment"];
  const id = variantName ?? env;
  const t = (m) => `${app.metadata.name}${variantName ? ` (${variantName})` : ""}: ${m}`;
  const src = app.spec.source;
  const sp = app.spec.syncPolicy ?? {};
  writeFileSync(join(opts.out, `application-${id}.yaml`), stringify(app));
  check(t("named infergate-<env>, in project infergate, namespace argocd"), app.metadata.name === `infergate-${env}` && app.spec.project === "infergate" && app.metadata.namespace === "argocd");
  check(t("source repo allowed by the project"), project.spec.sourceRepos.includes(src.repoURL));
  check(t("destination is the Secret's cluster, allowed by the project"), app.spec.destination.name === secret.stringData.name && project.spec.destinations.some((d) => d.name === app.spec.destination.name && d.namespace === app.spec.destination.namespace), app.spec.destination);
  check(t(`chart path ${src.path} exists (Chart.yaml)`), existsSync(join(src.path, "Chart.yaml")));
  const valueFiles = src.helm?.valueFiles ?? [];
  check(t(`values file of the environment exists: ${valueFiles.join(", ")}`), JSON.stringify(valueFiles) === JSON.stringify([`values-${env}.yaml`]) && existsSync(join(src.path, valueFiles[0])));
  check(t("release infergate in the namespace whose ServiceAccount the IRSA role trusts (the Secret's)"), src.helm?.releaseName === "infergate" && app.spec.destination.namespace === secret.metadata.annotations.infergate_namespace);
  if (env === "prod") {
    check(t("prod: no automated sync (manual)"), !sp.automated, sp.automated);
    const win = (project.spec.syncWindows ?? []).find((w) => w.applications?.includes(app.metadata.name));
    check(t("prod: a deny sync window covers it"), win?.kind === "deny", win);
  } else {
    check(t("automated sync with prune and selfHeal"), sp.automated?.prune === true && sp.automated?.selfHeal === true, sp.automated);
  }
  check(t("retry with exponential backoff"), sp.retry?.limit > 0 && sp.retry?.backoff?.factor > 1 && Boolean(sp.retry?.backoff?.duration));
  check(t("CreateNamespace=true"), (sp.syncOptions ?? []).includes("CreateNamespace=true"));

  // the chart as Argo CD will render it: values file, then the parameters (--set-string)
  const r = renderChart(app);
  check(t("chart renders with the app's values file and parameters"), r.status === 0, r.stderr);
  if (r.status !== 0) return;
  writeFileSync(join(opts.out, `${id}.yaml`), r.stdout);
  // Argo CD skips helm test hooks; everything else is synced.
  const rendered = docsOf(r.stdout).filter((d) => d.metadata?.annotations?.["helm.sh/hook"] !== "test");
  checkTerraformValues(t, rendered, secret.metadata.annotations);

  const values = parse(readFileSync(join(src.path, valueFiles[0]), "utf8"));
  const kinds = new Set(rendered.map((d) => `${d.apiVersion.includes("/") ? d.apiVersion.split("/")[0] : ""}/${d.kind}`));
  kindsByEnv.set(id, kinds);
  const allowed = new Set(project.spec.namespaceResourceWhitelist.map((k) => `${k.group}/${k.kind}`));
  const denied = [...kinds].filter((k) => !allowed.has(k));
  check(t("project admits every kind the chart renders"), denied.length === 0, denied);
  const workload = rendered.find((d) => d.kind === "Deployment" || d.kind === "Rollout");
  if (values.autoscaling?.enabled) {
    const ig = (app.spec.ignoreDifferences ?? []).find((d) => d.kind === workload.kind && d.name === workload.metadata.name && (d.jsonPointers ?? []).includes("/spec/replicas"));
    check(t(`HPA on: ignoreDifferences on ${workload.kind}/${workload.metadata.name} /spec/replicas, respected at sync`), Boolean(ig) && (sp.syncOptions ?? []).includes("RespectIgnoreDifferences=true"));
  }
  const rolloutOn = values.rollout?.enabled === true;
  check(t(`workload kind ${rolloutOn ? "Rollout" : "Deployment"} as values say`), workload.kind === (rolloutOn ? "Rollout" : "Deployment"));
}

/** What Terraform put on the cluster Secret is what the deployed objects carry. */
function checkTerraformValues(t, rendered, a) {
  const sa = rendered.find((d) => d.kind === "ServiceAccount");
  if (a.infergate_irsa_role_arn !== undefined) {
    check(t("ServiceAccount: name and IRSA role from the cluster Secret"), sa?.metadata.name === a.infergate_service_account_name && sa?.metadata.annotations?.["eks.amazonaws.com/role-arn"] === a.infergate_irsa_role_arn, sa?.metadata);
  } else {
    // No role: the pods take the node role's or EKS Pod Identity's credentials; not even an empty annotation.
    check(t("ServiceAccount: name from the cluster Secret, no IRSA role annotation (no role in the Secret)"), sa !== undefined && sa.metadata.name === a.infergate_service_account_name && !Object.hasOwn(sa.metadata.annotations ?? {}, "eks.amazonaws.com/role-arn"), sa?.metadata);
  }
  const config = rendered.find((d) => d.kind === "ConfigMap" && d.data?.INFERGATE_MODEL_REPOSITORY !== undefined);
  check(t("model repository and region from the cluster Secret"), config?.data.INFERGATE_MODEL_REPOSITORY === a.infergate_model_repository && config?.data.AWS_REGION === a.infergate_aws_region, config?.data);
  const images = JSON.stringify(rendered).match(/"image":"[^"]+"/g) ?? [];
  check(t("every image from the cluster Secret's repository"), images.length > 0 && images.every((i) => i.startsWith(`"image":"${a.infergate_image_repository}:`) || i.startsWith(`"image":"${a.infergate_image_repository}@`)), images);
  const ingress = rendered.find((d) => d.kind === "Ingress");
  if (ingress) {
    const hosts = ingress.spec.rules.map((r) => r.host);
    // no host name annotation: the rule matches any host (an internal ALB without TLS)
    check(t(`Ingress host from the cluster Secret (${a.infergate_ingress_hostname ?? "none: any host"})`), hosts.every((h) => h === a.infergate_ingress_hostname), hosts);
  }
}
