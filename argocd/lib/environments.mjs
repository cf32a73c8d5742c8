// The Argo CD chart as installed and the Applications its ApplicationSet generates for the
// cluster Secret fixtures (the shape of Terraform's `argocd_cluster_secret` output). Shared by
// the Argo CD checks and by the service chart's tests, which render each environment with
// exactly the values Argo CD passes.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { clusterParams, renderApplication } from "./appset.mjs";

export const REPO_URL = "https://git.acme.test/ml/infergate.git"; // any URL: the chart takes it at install
export const CLUSTER_FIXTURES = "argocd/tests/fixtures/clusters";

export const docsOf = (text) => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);

/** `helm template` of argocd/apps as the one-time install runs it. */
export function renderInstall(helm) {
  const r = spawnSync(helm, ["template", "infergate-apps", "argocd/apps", "-n", "argocd", "--set", `repoURL=${REPO_URL}`], { encoding: "utf8" });
  return { ok: r.status === 0, stderr: r.stderr, stdout: r.stdout, docs: r.status === 0 ? docsOf(r.stdout) : [] };
}

export function clusterSecrets() {
  return readdirSync(CLUSTER_FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(CLUSTER_FIXTURES, f), "utf8")));
}

export const environmentOf = (secret) => secret.metadata.labels["infergate.io/environment"];

/** The Application the ApplicationSet generates for a cluster Secret. */
export function expand(appset, secret, { helm, workDir }) {
  return renderApplication(appset, clusterParams(secret), { helm, workDir });
}

/** helm arguments for an Application's parameters, as Argo CD passes them (after the values files). */
export function parameterArgs(app) {
  return (app.spec.source.helm?.parameters ?? []).flatMap((p) => [p.forceString ? "--set-string" : "--set", `${p.name}=${p.value}`]);
}

/** The Application Argo CD generates for each cluster Secret fixture (or only `env`'s), by environment. */
export function applicationsByEnvironment(helm, workDir, env = undefined) {
  const install = renderInstall(helm);
  if (!install.ok) throw new Error(`argocd/apps does not render: ${install.stderr}`);
  const appset = install.docs.find((d) => d.kind === "ApplicationSet");
  const secrets = clusterSecrets().filter((secret) => env === undefined || environmentOf(secret) === env);
  return new Map(secrets.map((secret) => [environmentOf(secret), expand(appset, secret, { helm, workDir })]));
}
