/**
 * The environments as Argo CD deploys them: the Argo CD chart (argocd/apps) as its one-time
 * install renders it, and the Application its ApplicationSet generates for each cluster Secret
 * fixture (argocd/test/fixtures/clusters: the shape of Terraform's `argocd_cluster_secret`
 * output). Shared by argocd's tests and by the service chart's, which render each environment
 * with exactly the values file and parameters Argo CD passes.
 *
 * CLI (prints those helm arguments, one per line):
 *   node_modules/.bin/tsx scripts/lib/argocd-environments.ts --env prod
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type ClusterSecret, clusterParams, renderApplication } from "./appset.js";
import { docsOf, helm, type K8sObject } from "./helm.js";
import { REPO_ROOT } from "./repo.js";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
/** Any URL: the chart takes it at install. */
export const REPO_URL = "https://git.acme.test/ml/infergate.git";
export const CLUSTER_FIXTURES = "argocd/test/fixtures/clusters";

/** `helm template` of argocd/apps as the one-time install runs it. */
export async function renderInstall(): Promise<{
  ok: boolean;
  stdout: string;
  stderr: string;
  docs: K8sObject[];
}> {
  const r = await helm([
    "template",
    "infergate-apps",
    "argocd/apps",
    "-n",
    "argocd",
    "--set",
    `repoURL=${REPO_URL}`,
  ]);
  return { ok: r.code === 0, stdout: r.stdout, stderr: r.stderr, docs: r.code === 0 ? docsOf(r.stdout) : [] };
}

/** The cluster Secret fixtures, in file name order. */
export function clusterSecrets(): ClusterSecret[] {
  const dir = join(REPO_ROOT, CLUSTER_FIXTURES);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as ClusterSecret);
}

export const environmentOf = (secret: ClusterSecret): string | undefined =>
  secret.metadata.labels["infergate.io/environment"];

/** The Application the ApplicationSet generates for a cluster Secret. */
export function expand(appset: K8sObject, secret: ClusterSecret): Promise<K8sObject> {
  return renderApplication(appset, clusterParams(secret));
}

/** helm arguments for an Application's parameters, as Argo CD passes them (after the values files). */
export function parameterArgs(app: K8sObject): string[] {
  const parameters = (app.spec.source.helm?.parameters ?? []) as {
    name: string;
    value: string;
    forceString?: boolean;
  }[];
  return parameters.flatMap((p) => [p.forceString ? "--set-string" : "--set", `${p.name}=${p.value}`]);
}

/** The Application Argo CD generates for each cluster Secret fixture (or only `env`'s), by environment. */
export async function applicationsByEnvironment(env?: string): Promise<Map<string, K8sObject>> {
  const install = await renderInstall();
  if (!install.ok) throw new Error(`argocd/apps does not render: ${install.stderr}`);
  const appset = install.docs.find((d) => d.kind === "ApplicationSet");
  if (!appset) throw new Error("argocd/apps renders no ApplicationSet");
  const secrets = clusterSecrets().filter((secret) => env === undefined || environmentOf(secret) === env);
  const apps = await Promise.all(secrets.map((secret) => expand(appset, secret)));
  return new Map(secrets.map((secret, i) => [environmentOf(secret) ?? "", apps[i] as K8sObject]));
}

/** The helm arguments Argo CD adds for one environment: its values files, then its parameters. */
export async function argoCdHelmArgs(env: string): Promise<string[]> {
  const app = (await applicationsByEnvironment(env)).get(env);
  if (!app) throw new Error(`no cluster Secret fixture for environment ${env}`);
  const valueFiles = (app.spec.source.helm.valueFiles as string[]).flatMap((v) => [
    "-f",
    `${app.spec.source.path}/${v}`,
  ]);
  return [...valueFiles, ...parameterArgs(app)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { env: { type: "string" } } });
  if (!values.env) {
    console.error("usage: argocd-environments.ts --env <dev|staging|prod>");
    process.exit(2);
  }
  console.log((await argoCdHelmArgs(values.env)).join("\n"));
}
