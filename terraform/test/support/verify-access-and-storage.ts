/**
 * What the dev apply created for the service's access and its artifacts, read back through the
 * IAM, S3 and ECR APIs: an IRSA role that trusts only the service account and may only read the
 * model prefix, a private versioned SSE-KMS model bucket behind a TLS-only policy, and an
 * immutable, scanned ECR repository with a lifecycle policy.
 */
import { DescribeRepositoriesCommand, GetLifecyclePolicyCommand } from "@aws-sdk/client-ecr";
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
} from "@aws-sdk/client-iam";
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
} from "@aws-sdk/client-s3";
import type { AwsClients } from "./aws-clients.js";
import type { Checks, TerraformOutputs } from "./checks.js";

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
};
type PolicyDocument = { Statement: Statement[] };

/** IAM returns policy documents URL-encoded; moto sometimes does not. */
function policyDocument(text: string | undefined): PolicyDocument {
  const raw = text ?? "{}";
  return JSON.parse(raw.trimStart().startsWith("{") ? raw : decodeURIComponent(raw)) as PolicyDocument;
}
const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

const IRSA_ACTIONS = ["kms:Decrypt", "s3:GetObject", "s3:ListBucket"];

export async function verifyIrsa(aws: AwsClients, out: TerraformOutputs, checks: Checks): Promise<void> {
  const roleName = out.string("service_irsa_role_arn").split("/").pop() as string;
  const { Role } = await aws.iam.send(new GetRoleCommand({ RoleName: roleName }));
  const trust = policyDocument(Role?.AssumeRolePolicyDocument);
  const condition = (trust.Statement[0]?.Condition as { StringEquals?: Record<string, string> }) ?? {};
  checks.ok(
    Object.entries(condition.StringEquals ?? {}).some(
      ([key, value]) => key.endsWith(":sub") && value === "system:serviceaccount:infergate:infergate",
    ),
    "IRSA role trusts only infergate/infergate",
  );

  const actions = new Set<string>();
  const { AttachedPolicies = [] } = await aws.iam.send(
    new ListAttachedRolePoliciesCommand({ RoleName: roleName }),
  );
  for (const attached of AttachedPolicies) {
    const { Policy } = await aws.iam.send(new GetPolicyCommand({ PolicyArn: attached.PolicyArn }));
    const { PolicyVersion } = await aws.iam.send(
      new GetPolicyVersionCommand({ PolicyArn: attached.PolicyArn, VersionId: Policy?.DefaultVersionId }),
    );
    for (const statement of policyDocument(PolicyVersion?.Document).Statement) {
      const statementActions = asList(statement.Action);
      const resources = asList(statement.Resource);
      for (const action of statementActions) actions.add(action);
      checks.ok(!resources.includes("*"), `IRSA statement ${statement.Sid} has no wildcard resource`);
      if (statementActions.includes("s3:GetObject"))
        checks.ok(
          resources.every((r) => r === `${out.string("model_bucket_arn")}/${out.string("model_prefix")}/*`),
          "GetObject scoped to the model prefix",
        );
    }
  }
  checks.ok(
    JSON.stringify([...actions].sort()) === JSON.stringify(IRSA_ACTIONS),
    `IRSA actions are read-only: ${[...actions].sort().join(", ")}`,
  );

  const { OpenIDConnectProviderList = [] } = await aws.iam.send(new ListOpenIDConnectProvidersCommand({}));
  checks.ok(
    OpenIDConnectProviderList.some((provider) => provider.Arn === out.string("oidc_provider_arn")),
    "OIDC provider exists",
  );
}

export async function verifyModelBucket(
  aws: AwsClients,
  out: TerraformOutputs,
  checks: Checks,
): Promise<void> {
  const Bucket = out.string("model_bucket_name");
  const block =
    (await aws.s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration ?? {};
  checks.ok(
    Object.keys(block).length === 4 && Object.values(block).every((on) => on === true),
    "model bucket blocks all public access",
  );
  const versioning = await aws.s3.send(new GetBucketVersioningCommand({ Bucket }));
  checks.ok(versioning.Status === "Enabled", "model bucket versioned");
  const encryption = await aws.s3.send(new GetBucketEncryptionCommand({ Bucket }));
  const sse = encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
  checks.ok(
    sse?.SSEAlgorithm === "aws:kms" && sse.KMSMasterKeyID === out.string("model_kms_key_arn"),
    "model bucket SSE-KMS with the model key",
  );
  const policy = policyDocument((await aws.s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy);
  checks.ok(
    policy.Statement.some(
      (s) => s.Effect === "Deny" && JSON.stringify(s.Condition ?? {}).includes("aws:SecureTransport"),
    ),
    "model bucket policy denies non-TLS access",
  );
  const { Rules = [] } = await aws.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
  checks.ok(
    Rules.some((rule) => rule.NoncurrentVersionExpiration),
    "model bucket expires noncurrent versions",
  );
}

export async function verifyEcr(aws: AwsClients, out: TerraformOutputs, checks: Checks): Promise<void> {
  const repositoryName = out.string("ecr_repository_url").split("/").slice(1).join("/");
  const { repositories = [] } = await aws.ecr.send(
    new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }),
  );
  checks.ok(repositories[0]?.imageTagMutability === "IMMUTABLE", "ECR tags immutable");
  checks.ok(repositories[0]?.imageScanningConfiguration?.scanOnPush === true, "ECR scan on push");
  const lifecycle = await aws.ecr.send(new GetLifecyclePolicyCommand({ repositoryName }));
  checks.ok(!!lifecycle.lifecyclePolicyText, "ECR lifecycle policy set");
}
