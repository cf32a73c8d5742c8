/**
 * The platform root's argocd_cluster_secret output against the contract the Argo CD ApplicationSet
 * is written against: argocd's cluster Secret fixture of the same environment. The fixture fixes
 * the shape (the same keys at every level, also inside the JSON-encoded stringData.config); its
 * values are examples from another account, so values are checked against the other outputs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../../scripts/lib/repo.js";
import { Checks, type TerraformOutputs } from "./checks.js";

/** argocd's cluster Secret fixtures (<env>.json), the contract argocd's ApplicationSet is written against. */
export const ARGOCD_CLUSTER_FIXTURES = join(REPO_ROOT, "argocd/test/fixtures/clusters");

type Json = Record<string, unknown>;

export function clusterSecretFixture(env: string): Json {
  return JSON.parse(readFileSync(join(ARGOCD_CLUSTER_FIXTURES, `${env}.json`), "utf8")) as Json;
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const objectAt = (value: unknown, ...path: string[]): Json => {
  const found = path.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), value);
  return isObject(found) ? found : {};
};

/** A map's entries in key order, to compare maps whatever order their keys were written in. */
const sortedEntries = (value: unknown) => JSON.stringify(Object.entries(isObject(value) ? value : {}).sort());

/** roleARN is there only with argocd_role_arn, which the moto run does not set (no access-entry API). */
const OPTIONAL_KEYS: Record<string, readonly string[]> = {
  "secret.stringData.config.awsAuthConfig": ["roleARN"],
};

/** Key sets must equal the fixture's at every level (less its optional keys). */
function sameKeys(path: string, actual: unknown, expected: unknown, checks: Checks): void {
  if (!isObject(actual) || !isObject(expected)) {
    checks.ok(false, `${path} is an object in both the output and the fixture`);
    return;
  }
  const optional = OPTIONAL_KEYS[path] ?? [];
  const missing = Object.keys(expected).filter((key) => !(key in actual) && !optional.includes(key));
  const extra = Object.keys(actual).filter((key) => !(key in expected));
  checks.ok(
    missing.length === 0 && extra.length === 0,
    `${path} has the fixture's keys (missing [${missing}], extra [${extra}])`,
  );
  for (const key of Object.keys(actual).filter((k) => k in expected)) {
    if (isObject(actual[key]) || isObject(expected[key]))
      sameKeys(`${path}.${key}`, actual[key], expected[key], checks);
  }
}

/** The secret with stringData.config decoded, so the key comparison reaches into it. */
function withDecodedConfig(secret: Json): Json {
  const stringData = objectAt(secret, "stringData");
  let config: unknown;
  try {
    config = JSON.parse(String(stringData.config));
  } catch {
    config = undefined;
  }
  return { ...secret, stringData: { ...stringData, config } };
}

/** Annotation -> the output whose value it must carry. */
const ANNOTATION_OUTPUTS = {
  infergate_aws_region: "region",
  infergate_image_repository: "ecr_repository_url",
  infergate_model_repository: "model_repository_uri",
  infergate_service_account_name: "service_account_name",
  infergate_namespace: "service_account_namespace",
  infergate_irsa_role_arn: "service_irsa_role_arn",
} as const;

export function checkClusterSecret(out: TerraformOutputs, fixture: Json): Checks {
  const checks = new Checks();
  const raw = out.values.argocd_cluster_secret;
  checks.ok(isObject(raw), "output argocd_cluster_secret is set");
  if (!isObject(raw)) return checks;
  const secret = withDecodedConfig(raw);
  const config = objectAt(secret, "stringData", "config");
  checks.ok(isObject(objectAt(secret, "stringData").config), "stringData.config is a JSON object");
  sameKeys("secret", secret, withDecodedConfig(fixture), checks);

  for (const key of ["apiVersion", "kind", "type"])
    checks.ok(secret[key] === fixture[key], `${key} is ${JSON.stringify(fixture[key])}`);
  const meta = objectAt(secret, "metadata");
  const fixtureMeta = objectAt(fixture, "metadata");
  checks.ok(
    meta.namespace === fixtureMeta.namespace,
    `namespace is ${JSON.stringify(fixtureMeta.namespace)}`,
  );
  checks.ok(sortedEntries(meta.labels) === sortedEntries(fixtureMeta.labels), "labels equal the fixture's");
  checks.ok(meta.name === `cluster-${out.string("cluster_name")}`, "metadata.name is cluster-<cluster_name>");

  const annotations = objectAt(meta, "annotations");
  for (const [annotation, output] of Object.entries(ANNOTATION_OUTPUTS)) {
    const value = out.values[output];
    checks.ok(!!value && annotations[annotation] === value, `annotation ${annotation} == output ${output}`);
  }
  checks.ok(
    Object.values(annotations).every((v) => typeof v === "string"),
    "annotation values are strings",
  );

  const stringData = objectAt(secret, "stringData");
  checks.ok(stringData.name === out.string("cluster_name"), "stringData.name == cluster_name");
  checks.ok(stringData.server === out.string("cluster_endpoint"), "stringData.server == cluster_endpoint");
  const auth = objectAt(config, "awsAuthConfig");
  const tls = objectAt(config, "tlsClientConfig");
  checks.ok(
    auth.clusterName === out.string("cluster_name"),
    "config.awsAuthConfig.clusterName == cluster_name",
  );
  checks.ok(!("roleARN" in auth), "no roleARN without argocd_role_arn");
  checks.ok(tls.insecure === false, "config.tlsClientConfig.insecure is false");
  checks.ok(
    tls.caData === out.values.cluster_certificate_authority_data,
    "config.tlsClientConfig.caData == cluster_certificate_authority_data",
  );
  return checks;
}
