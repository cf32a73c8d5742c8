/**
 * What the dev apply created in the network and the cluster, read back through the EC2, EKS and
 * KMS APIs: private subnets in two AZs behind one NAT gateway, a private-only endpoint, secrets
 * encrypted with a rotating key, audit logs, and hardened node groups in the private subnets.
 */
import {
  DescribeLaunchTemplateVersionsCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type Tag,
} from "@aws-sdk/client-ec2";
import { DescribeClusterCommand, DescribeNodegroupCommand, ListNodegroupsCommand } from "@aws-sdk/client-eks";
import { GetKeyRotationStatusCommand } from "@aws-sdk/client-kms";
import type { AwsClients } from "./aws-clients.js";
import type { Checks, TerraformOutputs } from "./checks.js";

const tagMap = (tags: Tag[] = []) => Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));
const within = (items: readonly string[] = [], allowed: ReadonlySet<string>) =>
  items.every((item) => allowed.has(item));

export async function verifyNetwork(aws: AwsClients, out: TerraformOutputs, checks: Checks): Promise<void> {
  const vpcId = out.string("vpc_id");
  const { Vpcs = [] } = await aws.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
  const vpcTags = tagMap(Vpcs[0]?.Tags);
  checks.ok(
    vpcTags.environment === "dev" && !!vpcTags.owner && !!vpcTags["cost-center"],
    "VPC carries environment/owner/cost-center tags",
  );

  const privateIds = new Set(out.strings("private_subnet_ids"));
  const publicIds = new Set(out.strings("public_subnet_ids"));
  const { Subnets = [] } = await aws.ec2.send(
    new DescribeSubnetsCommand({ SubnetIds: [...privateIds, ...publicIds].sort() }),
  );
  const privateSubnets = Subnets.filter((subnet) => privateIds.has(subnet.SubnetId ?? ""));
  checks.ok(
    new Set(privateSubnets.map((s) => s.AvailabilityZone)).size >= 2,
    "private subnets span at least 2 AZs",
  );
  for (const subnet of Subnets) {
    const tags = tagMap(subnet.Tags);
    if (privateIds.has(subnet.SubnetId ?? ""))
      checks.ok(
        tags["kubernetes.io/role/internal-elb"] === "1",
        `private subnet ${subnet.SubnetId} tagged internal-elb`,
      );
    else checks.ok(tags["kubernetes.io/role/elb"] === "1", `public subnet ${subnet.SubnetId} tagged elb`);
    checks.ok(!subnet.MapPublicIpOnLaunch, `subnet ${subnet.SubnetId} does not map public IPs`);
  }

  const inVpc = [{ Name: "vpc-id", Values: [vpcId] }];
  const { RouteTables = [] } = await aws.ec2.send(new DescribeRouteTablesCommand({ Filters: inVpc }));
  for (const table of RouteTables) {
    if (!(table.Associations ?? []).some((a) => privateIds.has(a.SubnetId ?? ""))) continue;
    const defaults = (table.Routes ?? []).filter((route) => route.DestinationCidrBlock === "0.0.0.0/0");
    checks.ok(
      defaults.length > 0 && defaults.every((route) => !!route.NatGatewayId),
      `private route table ${table.RouteTableId} routes 0.0.0.0/0 through a NAT gateway only`,
    );
  }
  const { NatGateways = [] } = await aws.ec2.send(new DescribeNatGatewaysCommand({ Filter: inVpc }));
  checks.ok(
    NatGateways.filter((nat) => nat.State !== "deleted").length === 1,
    "dev uses a single NAT gateway",
  );
}

export async function verifyCluster(aws: AwsClients, out: TerraformOutputs, checks: Checks): Promise<void> {
  const privateIds = new Set(out.strings("private_subnet_ids"));
  const { cluster } = await aws.eks.send(new DescribeClusterCommand({ name: out.string("cluster_name") }));
  const vpcConfig = cluster?.resourcesVpcConfig;
  checks.ok(vpcConfig?.endpointPrivateAccess === true, "cluster private endpoint enabled");
  checks.ok(vpcConfig?.endpointPublicAccess === false, "cluster public endpoint disabled");
  checks.ok(within(vpcConfig?.subnetIds, privateIds), "control plane ENIs only in private subnets");
  const encryption = cluster?.encryptionConfig ?? [];
  checks.ok(
    encryption.some((e) => e.resources?.includes("secrets")),
    "secrets envelope-encrypted with KMS",
  );
  const keyArn = encryption[0]?.provider?.keyArn;
  const rotation = keyArn && (await aws.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn })));
  checks.ok(!!rotation && rotation.KeyRotationEnabled === true, "cluster KMS key rotation enabled");
  checks.ok(
    (cluster?.logging?.clusterLogging ?? []).some((log) => log.enabled && log.types?.includes("audit")),
    "audit logs enabled",
  );
}

export async function verifyNodeGroups(
  aws: AwsClients,
  out: TerraformOutputs,
  checks: Checks,
): Promise<void> {
  const clusterName = out.string("cluster_name");
  const privateIds = new Set(out.strings("private_subnet_ids"));
  const { nodegroups = [] } = await aws.eks.send(new ListNodegroupsCommand({ clusterName }));
  checks.ok(nodegroups.length >= 2, "at least two managed node groups");
  for (const name of nodegroups) {
    const { nodegroup } = await aws.eks.send(
      new DescribeNodegroupCommand({ clusterName, nodegroupName: name }),
    );
    checks.ok(within(nodegroup?.subnets, privateIds), `node group ${name} only in private subnets`);
    if (nodegroup?.capacityType === "SPOT")
      checks.ok(
        (nodegroup.instanceTypes ?? []).length >= 2,
        `spot node group ${name} has >= 2 instance types`,
      );
    const template = nodegroup?.launchTemplate;
    checks.ok(!!template?.id, `node group ${name} uses a launch template`);
    if (!template?.id) continue;
    const { LaunchTemplateVersions = [] } = await aws.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: template.id,
        Versions: [String(template.version)],
      }),
    );
    const data = LaunchTemplateVersions[0]?.LaunchTemplateData;
    checks.ok(data?.MetadataOptions?.HttpTokens === "required", `node group ${name} requires IMDSv2`);
    const ebs = data?.BlockDeviceMappings?.[0]?.Ebs;
    checks.ok(ebs?.Encrypted === true && ebs.VolumeType === "gp3", `node group ${name} uses encrypted gp3`);
  }
}
