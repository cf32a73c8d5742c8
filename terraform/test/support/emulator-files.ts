/**
 * The files that point the workspace copy at the emulator and work around its gaps, generated
 * into the copy only: the committed roots never name an emulator endpoint.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BOOTSTRAP_ROOT, BUCKET_MODULE_ROOT, PLATFORM_ROOT } from "./roots.js";
import type { Workspace } from "./workspace.js";

const SERVICES = ["autoscaling", "dynamodb", "ec2", "ecr", "eks", "iam", "kms", "logs", "s3", "sts"];

/** -var-file / -backend-config arguments of the emulator runs, on top of the committed files. */
export type EmulatorFiles = {
  bootstrapTfvars: string;
  devTfvars: string;
  devBackendConfig(bucket: string, kmsKeyArn: string): Promise<string>;
};

function providerOverride(endpoint: string): string {
  const endpoints = SERVICES.map((service) => `    ${service.padEnd(11)} = "${endpoint}"`).join("\n");
  return `provider "aws" {
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
${endpoints}
  }
}
`;
}

export async function writeEmulatorFiles(ws: Workspace, endpoint: string): Promise<EmulatorFiles> {
  for (const root of [BOOTSTRAP_ROOT, PLATFORM_ROOT])
    await writeFile(join(ws.src, root, "provider_override.tf"), providerOverride(endpoint));

  // moto 5.2 treats a bucket-policy Deny whose condition it cannot evaluate (aws:SecureTransport is
  // never supplied) as an unconditional Deny for object requests, which would block every state
  // read and write. For the emulator run only, the state bucket's TLS-only policy is dropped; its
  // content is asserted by bootstrap/tests/bootstrap.tftest.hcl and checked by checkov. The policy
  // is the bucket module's, which the model bucket shares, so the override picks the state bucket
  // by bootstrap's default name (the model bucket keeps its policy: nothing reads objects from it
  // here, and verifyModelBucket reads the policy back).
  await writeFile(
    join(ws.src, BUCKET_MODULE_ROOT, "moto_override.tf"),
    `resource "aws_s3_bucket_policy" "this" {
  count = startswith(var.bucket, "infergate-tfstate-") ? 0 : 1
}

output "policy" {
  value = one(aws_s3_bucket_policy.this[*].policy)
}
`,
  );

  // force_destroy so the test can delete the bucket with its state objects; the lock table path is exercised too.
  const bootstrapTfvars = join(ws.dir, "moto-bootstrap.tfvars");
  await writeFile(bootstrapTfvars, "force_destroy     = true\ncreate_lock_table = true\n");
  // moto has no EKS add-on or access-entry API: those resources are covered by the mock tests.
  const devTfvars = join(ws.dir, "moto-dev.tfvars");
  await writeFile(devTfvars, "addons          = {}\nadmin_role_arns = []\n");

  // Completes environments/dev.s3.tfbackend: the bootstrap bucket and key, and the emulator's endpoints.
  const devBackendConfig = async (bucket: string, kmsKeyArn: string) => {
    const file = join(ws.dir, "moto-dev.s3.tfbackend");
    await writeFile(
      file,
      `bucket     = "${bucket}"
kms_key_id = "${kmsKeyArn}"
use_path_style              = true
skip_credentials_validation = true
skip_requesting_account_id  = true
skip_metadata_api_check     = true
skip_region_validation      = true
endpoints = {
  s3       = "${endpoint}"
  sts      = "${endpoint}"
  iam      = "${endpoint}"
  dynamodb = "${endpoint}"
}
`,
    );
    return file;
  };
  return { bootstrapTfvars, devTfvars, devBackendConfig };
}
