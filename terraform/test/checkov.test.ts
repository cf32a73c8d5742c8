/**
 * checkov over terraform/ with each environment's tfvars: no failed check (suppressions are inline
 * with their reasons, see README.md), and the resources that matter were really evaluated.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkov, scan } from "./support/checkov.js";
import { ENVIRONMENTS, PLATFORM_ROOT, tfvarsOf } from "./support/roots.js";
import { createWorkspace, type Workspace } from "./support/workspace.js";

/** Resources each scan must reach: the cluster, its nodes, IAM, storage, keys and the state bucket. */
const MUST_BE_EVALUATED = [
  "module.platform.aws_eks_cluster.this",
  "module.platform.aws_eks_node_group.this",
  "module.platform.aws_launch_template.node",
  "module.platform.aws_iam_role.node",
  "module.platform.aws_iam_role.service",
  "module.platform.aws_kms_key.eks",
  "module.platform.module.model_bucket.aws_s3_bucket.this",
  "module.platform.module.model_bucket.aws_s3_bucket_policy.this",
  "module.platform.aws_ecr_repository.this",
  "module.platform.aws_vpc.this",
  "module.state_bucket.aws_s3_bucket.this",
  "module.state_bucket.aws_s3_bucket_policy.this",
];

describe("checkov (offline, terraform framework)", () => {
  let ws: Workspace;

  beforeAll(async () => {
    // Both may install something on a machine's first run: the provider mirror and checkov's venv.
    [ws] = await Promise.all([createWorkspace("checkov"), checkov()]);
  }, 1_200_000);

  afterAll(async () => {
    await ws?.remove();
  });

  it.each(ENVIRONMENTS)(
    "with %s.tfvars: 0 failed checks, every key resource evaluated",
    async (env) => {
      const result = await scan(ws.src, join(ws.src, PLATFORM_ROOT, tfvarsOf(env)));
      expect(result.failed).toEqual([]);
      expect(result.summary).toMatchObject({ failed: 0, parsing_errors: 0 });
      expect(result.summary.passed).toBeGreaterThan(100);
      expect(MUST_BE_EVALUATED.filter((address) => !result.evaluatedResources.has(address))).toEqual([]);
    },
    600_000,
  );
});
