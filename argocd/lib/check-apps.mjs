#!/usr/bin/env node
// Consistency checks of the Argo CD manifests against the repository and the chart:
// every Application points at a chart path and values files that exist, stays inside its
// AppProject, has the sync policy its environment needs, and the project admits every
// kind the chart renders for that environment.
// Usage (repo root): node argocd/lib/check-apps.mjs [--helm PATH] [--kube-version 1.33.0]
// Prints one line per check and "apps: N passed, M failed".
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse, parseAllDocuments } from "yaml";

const { values: opts } = parseArgs({
  options: { helm: { type: "string", default: ".tools/bin/helm" }, "kube-version": { type: "string", default: "1.33.0" } },
});
let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  ok ? passed++ : failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok || detail === undefined ? "" : ` -- ${JSON.stringify(detail)}`}`);
}
const load = (f) => parseAllDocuments(readFileSync(f, "utf8")).map((d) => d.toJS()).filter(Boolean);

const files = ["argocd/project.yaml", "argocd/root.yaml", ...readdirSync("argocd/apps").filter((f) => f.endsWith(".yaml")).map((f) => `argocd/apps/${f}`)];
const docs = files.flatMap((f) => load(f).map((d) => ({ ...d, __file: f })));
const projects = new Map(docs.filter((d) => d.kind === "AppProject").map((p) => [p.metadata.name, p]));
const apps = docs.filter((d) => d.kind === "Application");
const project = projects.get("infergate");
check("AppProject infergate exists", Boolean(project));
check("AppProject restricts source repos (no wildcard)", project.spec.sourceRepos.length > 0 && !project.spec.sourceRepos.includes("*"));
check("AppProject restricts destinations (no wildcard server/namespace)", project.spec.destinations.every((d) => d.namespace !== "*" && d.name !== "*" && d.server !== "*"));
check("AppProject cluster-scoped kinds: Namespace only", JSON.stringify(project.spec.clusterResourceWhitelist) === JSON.stringify([{ group: "", kind: "Namespace" }]));

const root = apps.find((a) => a.metadata.name === "infergate-apps");
check("root app points at the argocd folder holding the project and apps", root && existsSync(root.spec.source.path) && statSync(root.spec.source.path).isDirectory() && root.spec.source.repoURL === project.spec.sourceRepos[0]);

const envApps = apps.filter((a) => a !== root);
const envs = envApps.map((a) => a.metadata.labels?.["infergate.io/environment"]);
check("one Application per environment: dev, staging, prod", JSON.stringify([...envs].sort()) === JSON.stringify(["dev", "prod", "staging"]), envs);

const kindsByEnv = new Map();
for (const app of envApps) {
  const env = app.metadata.labels["infergate.io/environment"];
  const t = (m) => `${app.metadata.name}: ${m}`;
  const src = app.spec.source;
  check(t("in project infergate, namespace argocd"), app.spec.project === "infergate" && app.metadata.namespace === "argocd");
  check(t("source repo allowed by the project"), project.spec.sourceRepos.includes(src.repoURL));
  check(t("destination allowed by the project"), project.spec.destinations.some((d) => d.name === app.spec.destination.name && d.namespace === app.spec.destination.namespace), app.spec.destination);
  const chartOk = existsSync(join(src.path, "Chart.yaml"));
  check(t(`chart path ${src.path} exists (Chart.yaml)`), chartOk);
  const valueFiles = src.helm?.valueFiles ?? [];
  check(t(`values files exist: ${valueFiles.join(", ")}`), valueFiles.length > 0 && valueFiles.every((v) => existsSync(join(src.path, v))));
  check(t(`values file matches the environment (values-${env}.yaml)`), valueFiles.includes(`values-${env}.yaml`));
  check(t("release name infergate (ServiceAccount name the IRSA role trusts)"), src.helm?.releaseName === "infergate" && app.spec.destination.namespace === "infergate");
  const sp = app.spec.syncPolicy ?? {};
  if (env === "prod") {
    check(t("prod: no automated sync (manual)"), !sp.automated, sp.automated);
    const win = (project.spec.syncWindows ?? []).find((w) => w.applications?.includes(app.metadata.name));
    check(t("prod: a deny sync window covers it"), win?.kind === "deny", win);
  } else {
    check(t("automated sync with prune and selfHeal"), sp.automated?.prune === true && sp.automated?.selfHeal === true, sp.automated);
  }
  check(t("retry with exponential backoff"), sp.retry?.limit > 0 && sp.retry?.backoff?.factor > 1 && Boolean(sp.retry?.backoff?.duration));
  check(t("CreateNamespace=true"), (sp.syncOptions ?? []).includes("CreateNamespace=true"));

  // the chart as Argo CD will render it
  const r = spawnSync(opts.helm, ["template", src.helm.releaseName, src.path, "-n", app.spec.destination.namespace, "--kube-version", opts["kube-version"], ...valueFiles.flatMap((v) => ["-f", join(src.path, v)])], { encoding: "utf8", maxBuffer: 64 << 20 });
  check(t("chart renders with the app's values files"), r.status === 0, r.stderr);
  if (r.status !== 0) continue;
  // Argo CD skips helm test hooks; everything else is synced.
  const rendered = parseAllDocuments(r.stdout).map((d) => d.toJS()).filter((d) => d && d.metadata?.annotations?.["helm.sh/hook"] !== "test");
  const values = parse(readFileSync(join(src.path, valueFiles.at(-1)), "utf8"));
  const kinds = new Set(rendered.map((d) => `${d.apiVersion.includes("/") ? d.apiVersion.split("/")[0] : ""}/${d.kind}`));
  kindsByEnv.set(env, kinds);
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
// whitelist has no stale entries: each allowed kind is rendered by some environment or by
// the rollout/ingress options (Deployment and Rollout are both legitimate).
const everything = new Set([...kindsByEnv.values()].flatMap((s) => [...s]));
const unused = project.spec.namespaceResourceWhitelist.map((k) => `${k.group}/${k.kind}`).filter((k) => !everything.has(k) && k !== "apps/Deployment");
check("project whitelist has no kind the chart never renders", unused.length === 0, unused);

console.log(`apps: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
