/**
 * A real apply against moto_server (HTTPS): bootstrap creates the state bucket; the platform root
 * applies dev with environments/dev.tfvars, its state in that bucket through dev.s3.tfbackend (S3
 * native locking); the result is read back through the AWS APIs; argocd_cluster_secret is held
 * against argocd's dev fixture; a re-plan shows no drift beyond moto's EKS gaps; both roots are
 * destroyed. The steps build on each other and run in order: a step whose precondition failed
 * fails at once and names it, the destroys run whenever there is something to destroy.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsClients, awsClients } from "./support/aws-clients.js";
import { Checks, TerraformOutputs } from "./support/checks.js";
import { checkClusterSecret, clusterSecretFixture } from "./support/cluster-secret.js";
import { type EmulatorFiles, writeEmulatorFiles } from "./support/emulator-files.js";
import { type MotoServer, startMotoServer } from "./support/moto-server.js";
import { type PlanJson, unexplainedDrift } from "./support/replan-drift.js";
import { BOOTSTRAP_ROOT, backendConfigOf, PLATFORM_ROOT, tfvarsOf } from "./support/roots.js";
import { emptyVersionedBucket, verifyStateInBucket } from "./support/state-bucket.js";
import { verifyEcr, verifyIrsa, verifyModelBucket } from "./support/verify-access-and-storage.js";
import { verifyCluster, verifyNetwork, verifyNodeGroups } from "./support/verify-network-and-cluster.js";
import { createWorkspace, type TerraformOptions, type Workspace } from "./support/workspace.js";

const STATE_KEY = "infergate/dev/terraform.tfstate";
/** What the chart and the Argo CD cluster Secret are built from. */
const REQUIRED_OUTPUTS = [
  ...[
    "cluster_name",
    "cluster_endpoint",
    "cluster_oidc_issuer_url",
    "oidc_provider_arn",
    "model_bucket_name",
  ],
  ...["model_bucket_arn", "model_prefix", "model_kms_key_arn", "service_irsa_role_arn", "ecr_repository_url"],
  ...["region", "vpc_id", "private_subnet_ids"],
];

describe("bootstrap and dev applied to moto_server", { retry: 0 }, () => {
  let ws: Workspace;
  let moto: MotoServer;
  let aws: AwsClients;
  let files: EmulatorFiles;
  let stateBucket: { name: string; kmsKeyArn: string } | undefined;
  let outputs: TerraformOutputs;
  const passed = new Set<string>();

  /** A step of the chain: a test that records that it passed, for the steps that build on it. */
  const step = (name: string, timeoutMs: number, body: () => Promise<void>) =>
    it(
      name,
      async () => {
        await body();
        passed.add(name);
      },
      timeoutMs,
    );
  const requireStep = (name: string) => {
    if (!passed.has(name)) throw new Error(`needs the step "${name}", which did not pass`);
  };
  // The emulator's certificate is trusted through AWS_CA_BUNDLE (Terraform's AWS SDK reads it).
  const inEmulator = (root: string, args: readonly string[], options: TerraformOptions = {}) =>
    ws.terraform(root, args, { ...options, env: { AWS_CA_BUNDLE: moto.caFile } });
  const devVarFiles = () => [`-var-file=${tfvarsOf("dev")}`, `-var-file=${files.devTfvars}`];

  beforeAll(async () => {
    ws = await createWorkspace("moto");
    moto = await startMotoServer(ws.dir);
    aws = awsClients(moto.endpoint, moto.ca);
    files = await writeEmulatorFiles(ws, moto.endpoint);
  }, 1_200_000);

  afterAll(async () => {
    aws?.destroy();
    await moto?.stop();
    await ws?.remove();
  }, 60_000);

  const BOOTSTRAP = "apply bootstrap: state bucket, its KMS key, the lock table";
  step(BOOTSTRAP, 300_000, async () => {
    await inEmulator(BOOTSTRAP_ROOT, ["init", "-input=false", "-no-color", "-lockfile=readonly"]);
    const apply = [
      "apply",
      "-input=false",
      "-no-color",
      "-auto-approve",
      `-var-file=${files.bootstrapTfvars}`,
    ];
    await inEmulator(BOOTSTRAP_ROOT, apply, { timeoutMs: 300_000 });
    const output = (name: string) => inEmulator(BOOTSTRAP_ROOT, ["output", "-no-color", "-raw", name]);
    stateBucket = { name: await output("state_bucket_name"), kmsKeyArn: await output("state_kms_key_arn") };
  });

  const INIT = "init the platform root with dev.s3.tfbackend, the state in the bootstrap bucket";
  step(INIT, 120_000, async () => {
    requireStep(BOOTSTRAP);
    const { name, kmsKeyArn } = stateBucket as { name: string; kmsKeyArn: string };
    const backend = [
      `-backend-config=${backendConfigOf("dev")}`,
      `-backend-config=${await files.devBackendConfig(name, kmsKeyArn)}`,
    ];
    await inEmulator(PLATFORM_ROOT, ["init", "-input=false", "-no-color", "-lockfile=readonly", ...backend]);
  });

  const PLAN = "plan dev with dev.tfvars";
  step(PLAN, 300_000, async () => {
    requireStep(INIT);
    const plan = [
      "plan",
      "-input=false",
      "-no-color",
      ...devVarFiles(),
      `-out=${join(ws.dir, "dev.tfplan")}`,
    ];
    await inEmulator(PLATFORM_ROOT, plan, { timeoutMs: 300_000 });
  });

  const APPLY = "apply dev: every output the chart and Argo CD need is set";
  step(APPLY, 420_000, async () => {
    requireStep(PLAN);
    await inEmulator(PLATFORM_ROOT, ["apply", "-input=false", "-no-color", join(ws.dir, "dev.tfplan")], {
      timeoutMs: 420_000,
    });
    outputs = new TerraformOutputs(await inEmulator(PLATFORM_ROOT, ["output", "-no-color", "-json"]));
    const isSet = (value: unknown) => value != null && String(value) !== ""; // "" and [] are unset
    expect(REQUIRED_OUTPUTS.filter((name) => !isSet(outputs.values[name]))).toEqual([]);
  });

  it("dev's state is in the bootstrap bucket, SSE-KMS encrypted, its lock released", async () => {
    requireStep(APPLY);
    const checks = new Checks();
    await verifyStateInBucket(aws, stateBucket?.name as string, STATE_KEY, checks);
    expect(checks.failed).toEqual([]);
  });

  it("dev read back through the AWS APIs: network, cluster, node groups, IRSA, model bucket, ECR", async () => {
    requireStep(APPLY);
    const checks = new Checks();
    for (const verify of [
      verifyNetwork,
      verifyCluster,
      verifyNodeGroups,
      verifyIrsa,
      verifyModelBucket,
      verifyEcr,
    ])
      await verify(aws, outputs, checks);
    expect(checks.failed).toEqual([]);
    expect(checks.passed.length).toBeGreaterThan(30);
  }, 120_000);

  it("argocd_cluster_secret has the shape of argocd's dev fixture and the values of the other outputs", () => {
    requireStep(APPLY);
    const checks = checkClusterSecret(outputs, clusterSecretFixture("dev"));
    expect(checks.failed).toEqual([]);
  });

  it("re-plan dev: no drift beyond moto's EKS gaps", async () => {
    requireStep(APPLY);
    const replan = join(ws.dir, "dev-replan.tfplan");
    await inEmulator(
      PLATFORM_ROOT,
      ["plan", "-input=false", "-no-color", ...devVarFiles(), `-out=${replan}`],
      {
        timeoutMs: 300_000,
      },
    );
    const plan = JSON.parse(
      await inEmulator(PLATFORM_ROOT, ["show", "-no-color", "-json", replan]),
    ) as PlanJson;
    expect(unexplainedDrift(plan)).toEqual([]);
  }, 300_000);

  // Also after a failed plan or apply: whatever was created goes.
  it("destroy dev: the state is empty afterwards", async () => {
    requireStep(INIT);
    const destroy = ["destroy", "-input=false", "-no-color", "-auto-approve", ...devVarFiles()];
    await inEmulator(PLATFORM_ROOT, destroy, { timeoutMs: 420_000 });
    expect(await inEmulator(PLATFORM_ROOT, ["state", "list", "-no-color"])).toBe("");
  }, 420_000);

  it("destroy bootstrap, its state bucket emptied first", async () => {
    expect(stateBucket, "the bootstrap apply produced a state bucket").toBeDefined();
    await emptyVersionedBucket(aws, stateBucket?.name as string);
    const destroy = [
      "destroy",
      "-input=false",
      "-no-color",
      "-auto-approve",
      `-var-file=${files.bootstrapTfvars}`,
    ];
    await inEmulator(BOOTSTRAP_ROOT, destroy, { timeoutMs: 300_000 });
  }, 300_000);
});
