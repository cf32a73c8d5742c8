/**
 * The two judgements of the moto chain that are pure functions, fed with made-up inputs so it is
 * known that they can fail: what counts as drift in a re-plan, and what a cluster Secret must be.
 */
import { describe, expect, it } from "vitest";
import { TerraformOutputs } from "./support/checks.js";
import { checkClusterSecret, clusterSecretFixture } from "./support/cluster-secret.js";
import { type ResourceChange, unexplainedDrift } from "./support/replan-drift.js";

const change = (
  type: string,
  actions: string[],
  extra: Partial<ResourceChange["change"]> = {},
): ResourceChange => ({
  address: `module.platform.${type}.this`,
  type,
  change: { actions, ...extra },
});

describe("re-plan drift", () => {
  it("lets no-ops, reads and the replacements moto's EKS gaps cause pass", () => {
    const plan = {
      resource_changes: [
        change("aws_s3_bucket", ["no-op"]),
        change("aws_iam_policy_document", ["read"]),
        change("aws_eks_cluster", ["delete", "create"]),
        change("aws_eks_node_group", ["create", "delete"]),
      ],
    };
    expect(unexplainedDrift(plan)).toEqual([]);
  });

  it("names any change of a resource moto models fully", () => {
    const plan = {
      resource_changes: [change("aws_s3_bucket", ["update"]), change("aws_kms_key", ["delete", "create"])],
    };
    expect(unexplainedDrift(plan)).toEqual([
      "update module.platform.aws_s3_bucket.this",
      "delete/create module.platform.aws_kms_key.this",
    ]);
  });

  it("allows IAM role updates only in the trust policy, launch template updates only in tags and versions", () => {
    const trustOnly = change("aws_iam_role", ["update"], {
      before: { name: "r", assume_role_policy: "{old}" },
      after: { name: "r", assume_role_policy: "{new}" },
    });
    const renamed = change("aws_iam_role", ["update"], { before: { name: "r" }, after: { name: "s" } });
    const newVersion = change("aws_launch_template", ["update"], {
      before: { image_id: "ami-1" },
      after: { image_id: "ami-1" },
      after_unknown: { latest_version: true, tag_specifications: [{ tags: true }] },
    });
    const newImage = change("aws_launch_template", ["update"], { after_unknown: { image_id: true } });
    expect(unexplainedDrift({ resource_changes: [trustOnly, newVersion] })).toEqual([]);
    expect(unexplainedDrift({ resource_changes: [renamed, newImage] })).toEqual([
      "update module.platform.aws_iam_role.this (name)",
      "update module.platform.aws_launch_template.this (image_id)",
    ]);
  });
});

type Secret = {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> } & Record<string, unknown>;
  stringData: { name: string; server: string; config: string } & Record<string, unknown>;
} & Record<string, unknown>;

/** argocd's dev fixture as the dev apply would output it (no roleARN without argocd_role_arn), plus the other outputs. */
function applyLike(edit: (secret: Secret) => void = () => {}): TerraformOutputs {
  const secret = structuredClone(clusterSecretFixture("dev")) as Secret;
  const config = JSON.parse(secret.stringData.config) as {
    awsAuthConfig: Record<string, string>;
    tlsClientConfig: { caData: string };
  };
  delete config.awsAuthConfig.roleARN;
  secret.stringData.config = JSON.stringify(config);
  const annotations = secret.metadata.annotations;
  const values = {
    cluster_name: secret.stringData.name,
    cluster_endpoint: secret.stringData.server,
    cluster_certificate_authority_data: config.tlsClientConfig.caData,
    region: annotations.infergate_aws_region,
    ecr_repository_url: annotations.infergate_image_repository,
    model_repository_uri: annotations.infergate_model_repository,
    service_account_name: annotations.infergate_service_account_name,
    service_account_namespace: annotations.infergate_namespace,
    service_irsa_role_arn: annotations.infergate_irsa_role_arn,
  };
  edit(secret);
  const outputs = { ...values, argocd_cluster_secret: secret };
  return new TerraformOutputs(
    JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v }]))),
  );
}

describe("cluster Secret against argocd's fixture", () => {
  it("accepts the fixture's shape carrying the outputs' values, labels in any order", () => {
    const outputs = applyLike((secret) => {
      secret.metadata.labels = Object.fromEntries(Object.entries(secret.metadata.labels).reverse());
    });
    const checks = checkClusterSecret(outputs, clusterSecretFixture("dev"));
    expect(checks.failed).toEqual([]);
    expect(checks.passed.length).toBeGreaterThan(15);
  });

  it("names missing and extra keys, a wrong label, an annotation off its output and an unexpected roleARN", () => {
    const outputs = applyLike((secret) => {
      delete (secret.stringData as Record<string, unknown>).server;
      secret.metadata.owner = "someone";
      secret.metadata.labels["infergate.io/environment"] = "prod";
      secret.metadata.annotations.infergate_aws_region = "us-east-1";
      secret.stringData.config = JSON.stringify({
        ...JSON.parse(secret.stringData.config),
        awsAuthConfig: { clusterName: secret.stringData.name, roleARN: "arn:aws:iam::111122223333:role/x" },
      });
    });
    expect(checkClusterSecret(outputs, clusterSecretFixture("dev")).failed).toEqual([
      "secret.metadata has the fixture's keys (missing [], extra [owner])",
      "secret.stringData has the fixture's keys (missing [server], extra [])",
      "labels equal the fixture's",
      "annotation infergate_aws_region == output region",
      "stringData.server == cluster_endpoint",
      "no roleARN without argocd_role_arn",
    ]);
  });
});
