"""Checks the dev environment that terraform/test.sh applied to moto_server.

Usage: python3 moto_verify.py <endpoint> <terraform output -json file>
       python3 moto_verify.py state-in-bucket <endpoint> <bucket> <key>
       python3 moto_verify.py replan-drift <terraform show -json plan file>
       python3 moto_verify.py empty-bucket <endpoint> <bucket>
       python3 moto_verify.py cluster-secret <terraform output -json file> <argocd cluster fixture .json>

Reads the resources back through the AWS APIs (boto3 against moto) and checks
the properties the issue asks for, independently of Terraform's own state.
"""

import json
import sys

import boto3

REQUIRED_OUTPUTS = [
    "cluster_name", "cluster_endpoint", "cluster_oidc_issuer_url", "oidc_provider_arn",
    "model_bucket_name", "model_bucket_arn", "model_prefix", "model_kms_key_arn",
    "service_irsa_role_arn", "ecr_repository_url", "region", "vpc_id", "private_subnet_ids",
]

failures = []


def check(cond, msg):
    print(("  ok   " if cond else "  FAIL ") + msg)
    if not cond:
        failures.append(msg)


def main():
    endpoint, outputs_file = sys.argv[1], sys.argv[2]
    with open(outputs_file) as f:
        out = {k: v["value"] for k, v in json.load(f).items()}

    for name in REQUIRED_OUTPUTS:
        check(out.get(name) not in (None, "", []), f"output {name} is set")

    region = out["region"]

    def client(service):
        return boto3.client(service, endpoint_url=endpoint, region_name=region)

    ec2, eks, s3, iam, ecr, kms = (client(s) for s in ("ec2", "eks", "s3", "iam", "ecr", "kms"))

    # --- network -----------------------------------------------------------
    vpc = ec2.describe_vpcs(VpcIds=[out["vpc_id"]])["Vpcs"][0]
    tags = {t["Key"]: t["Value"] for t in vpc.get("Tags", [])}
    check(tags.get("environment") == "dev" and tags.get("owner") and tags.get("cost-center"),
          "VPC carries environment/owner/cost-center tags")

    private = set(out["private_subnet_ids"])
    public = set(out["public_subnet_ids"])
    subnets = ec2.describe_subnets(SubnetIds=sorted(private | public))["Subnets"]
    check(len({s["AvailabilityZone"] for s in subnets if s["SubnetId"] in private}) >= 2,
          "private subnets span at least 2 AZs")
    for s in subnets:
        stags = {t["Key"]: t["Value"] for t in s.get("Tags", [])}
        if s["SubnetId"] in private:
            check(stags.get("kubernetes.io/role/internal-elb") == "1", f"private subnet {s['SubnetId']} tagged internal-elb")
        else:
            check(stags.get("kubernetes.io/role/elb") == "1", f"public subnet {s['SubnetId']} tagged elb")
        check(not s.get("MapPublicIpOnLaunch"), f"subnet {s['SubnetId']} does not map public IPs")

    rts = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [out["vpc_id"]]}])["RouteTables"]
    for rt in rts:
        assoc = {a.get("SubnetId") for a in rt.get("Associations", [])}
        if assoc & private:
            defaults = [r for r in rt["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
            check(all(r.get("NatGatewayId") for r in defaults) and defaults,
                  f"private route table {rt['RouteTableId']} routes 0.0.0.0/0 through a NAT gateway only")
    nats = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [out["vpc_id"]]}])["NatGateways"]
    check(len([n for n in nats if n["State"] != "deleted"]) == 1, "dev uses a single NAT gateway")

    # --- cluster -----------------------------------------------------------
    cluster = eks.describe_cluster(name=out["cluster_name"])["cluster"]
    vpc_cfg = cluster["resourcesVpcConfig"]
    check(vpc_cfg.get("endpointPrivateAccess") is True, "cluster private endpoint enabled")
    check(vpc_cfg.get("endpointPublicAccess") is False, "cluster public endpoint disabled")
    check(set(vpc_cfg["subnetIds"]) <= private, "control plane ENIs only in private subnets")
    enc = cluster.get("encryptionConfig", [])
    check(any("secrets" in e.get("resources", []) for e in enc), "secrets envelope-encrypted with KMS")
    key_arn = enc[0]["provider"]["keyArn"] if enc else None
    if key_arn:
        check(kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"], "cluster KMS key rotation enabled")
    logging = cluster.get("logging", {}).get("clusterLogging", [])
    check(any(lg.get("enabled") and "audit" in lg.get("types", []) for lg in logging), "audit logs enabled")

    groups = eks.list_nodegroups(clusterName=out["cluster_name"])["nodegroups"]
    check(len(groups) >= 2, "at least two managed node groups")
    for g in groups:
        ng = eks.describe_nodegroup(clusterName=out["cluster_name"], nodegroupName=g)["nodegroup"]
        check(set(ng["subnets"]) <= private, f"node group {g} only in private subnets")
        if ng.get("capacityType") == "SPOT":
            check(len(ng["instanceTypes"]) >= 2, f"spot node group {g} has >= 2 instance types")
        lt = ng.get("launchTemplate", {})
        if lt.get("id"):
            data = ec2.describe_launch_template_versions(LaunchTemplateId=lt["id"], Versions=[str(lt["version"])])[
                "LaunchTemplateVersions"][0]["LaunchTemplateData"]
            check(data["MetadataOptions"]["HttpTokens"] == "required", f"node group {g} requires IMDSv2")
            ebs = data["BlockDeviceMappings"][0]["Ebs"]
            check(ebs.get("Encrypted") is True and ebs.get("VolumeType") == "gp3", f"node group {g} uses encrypted gp3")
        else:
            check(False, f"node group {g} uses a launch template")

    # --- IRSA ----------------------------------------------------------------
    role_name = out["service_irsa_role_arn"].split("/")[-1]
    role = iam.get_role(RoleName=role_name)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    if isinstance(trust, str):
        trust = json.loads(trust)
    cond = trust["Statement"][0]["Condition"]["StringEquals"]
    check(any(v == "system:serviceaccount:infergate:infergate" for k, v in cond.items() if k.endswith(":sub")),
          "IRSA role trusts only infergate/infergate")
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    actions = set()
    for p in attached:
        pol = iam.get_policy(PolicyArn=p["PolicyArn"])["Policy"]
        doc = iam.get_policy_version(PolicyArn=p["PolicyArn"], VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]
        if isinstance(doc, str):
            doc = json.loads(doc)
        for st in doc["Statement"]:
            acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            actions.update(acts)
            res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            check("*" not in res, f"IRSA statement {st.get('Sid')} has no wildcard resource")
            if "s3:GetObject" in acts:
                check(all(r == f"{out['model_bucket_arn']}/{out['model_prefix']}/*" for r in res),
                      "GetObject scoped to the model prefix")
    check(actions == {"s3:GetObject", "s3:ListBucket", "kms:Decrypt"}, f"IRSA actions are read-only: {sorted(actions)}")

    oidc = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    check(any(p["Arn"] == out["oidc_provider_arn"] for p in oidc), "OIDC provider exists")

    # --- model bucket ----------------------------------------------------------
    bucket = out["model_bucket_name"]
    pab = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    check(all(pab.values()) and len(pab) == 4, "model bucket blocks all public access")
    check(s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled", "model bucket versioned")
    sse = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0][
        "ApplyServerSideEncryptionByDefault"]
    check(sse["SSEAlgorithm"] == "aws:kms" and sse.get("KMSMasterKeyID") == out["model_kms_key_arn"],
          "model bucket SSE-KMS with the model key")
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    check(any(st["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(st.get("Condition", {}))
              for st in policy["Statement"]), "model bucket policy denies non-TLS access")
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    check(any("NoncurrentVersionExpiration" in r for r in rules), "model bucket expires noncurrent versions")

    # --- ECR -------------------------------------------------------------------
    repo_name = out["ecr_repository_url"].split("/", 1)[1]
    repo = ecr.describe_repositories(repositoryNames=[repo_name])["repositories"][0]
    check(repo["imageTagMutability"] == "IMMUTABLE", "ECR tags immutable")
    check(repo["imageScanningConfiguration"]["scanOnPush"] is True, "ECR scan on push")
    check(bool(ecr.get_lifecycle_policy(repositoryName=repo_name)["lifecyclePolicyText"]), "ECR lifecycle policy set")

    print(f"moto verify: {'FAILED' if failures else 'all checks passed'} ({len(failures)} failures)")
    return 1 if failures else 0


def state_in_bucket(endpoint, bucket, key):
    """The dev state was written to the bootstrap bucket, encrypted, and no lock is left behind."""
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="eu-central-1")
    head = s3.head_object(Bucket=bucket, Key=key)
    check(head["ContentLength"] > 0, f"state object s3://{bucket}/{key} exists")
    check(head.get("ServerSideEncryption") == "aws:kms", "state object is SSE-KMS encrypted")
    state = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    check(len(state.get("resources", [])) > 0, f"state holds {len(state.get('resources', []))} resources")
    lock = s3.list_objects_v2(Bucket=bucket, Prefix=key + ".tflock").get("KeyCount", 0)
    check(lock == 0, "no S3 lock file left after apply")
    return 1 if failures else 0


# Resource types whose drift after apply comes from moto not modelling EKS fully:
# it ignores the cluster's accessConfig (-> cluster replacement), reports a
# default disk_size on node groups that use a launch template (-> replacement)
# and adds a "launch-template" tag specification to launch templates. Everything
# that depends on the cluster's OIDC issuer or the node groups' ASGs follows.
MOTO_EKS_GAP_TYPES = {
    "aws_eks_cluster", "aws_eks_node_group", "aws_launch_template", "aws_autoscaling_schedule",
    "aws_iam_openid_connect_provider", "aws_iam_role",
}


def has_unknown(marker):
    """after_unknown mirrors the value's shape with True where a part is unknown."""
    if marker is True:
        return True
    if isinstance(marker, list):
        return any(has_unknown(m) for m in marker)
    if isinstance(marker, dict):
        return any(has_unknown(m) for m in marker.values())
    return False


def replan_drift(plan_file):
    with open(plan_file) as f:
        plan = json.load(f)
    drift = [rc for rc in plan.get("resource_changes", []) if rc["change"]["actions"] not in (["no-op"], ["read"])]
    for rc in drift:
        print(f"  drift {'/'.join(rc['change']['actions'])}: {rc['address']}")
    unexpected = [rc["address"] for rc in drift if rc["type"] not in MOTO_EKS_GAP_TYPES]
    # In-place updates must stay within what the gaps explain: IAM roles only through their
    # trust policy (new OIDC issuer), launch templates only through moto's extra tag specification.
    allowed_updates = {
        "aws_iam_role": {"assume_role_policy"},
        "aws_launch_template": {"tag_specifications", "default_version", "latest_version"},
    }
    for rc in drift:
        if rc["change"]["actions"] == ["update"] and rc["type"] in allowed_updates:
            before, after = rc["change"]["before"], rc["change"]["after"]
            changed = sorted(k for k in after if k in before and before[k] != after[k])
            unknown = sorted(k for k, v in (rc["change"].get("after_unknown") or {}).items() if has_unknown(v))
            if set(changed + unknown) - allowed_updates[rc["type"]]:
                unexpected.append(f"{rc['address']} ({sorted(set(changed + unknown))})")
    check(not unexpected, f"no drift outside {sorted(MOTO_EKS_GAP_TYPES)}: {unexpected}")
    return 1 if failures else 0


# Optional keys of the cluster Secret, by path: roleARN is only there when argocd_role_arn is
# set, and the moto run sets none (moto has no access-entry API for the role's entry).
CLUSTER_SECRET_OPTIONAL = {"secret.stringData.config.awsAuthConfig": {"roleARN"}}


def same_keys(path, actual, expected):
    """Key sets must match the fixture's at this level (less its optional keys); recurses into objects."""
    if not isinstance(actual, dict) or not isinstance(expected, dict):
        check(False, f"{path} is an object in both the output and the fixture")
        return
    optional = CLUSTER_SECRET_OPTIONAL.get(path, set())
    missing = set(expected) - set(actual) - optional
    extra = set(actual) - set(expected)
    check(not missing and not extra, f"{path} has the fixture's keys (missing {sorted(missing)}, extra {sorted(extra)})")
    for k in set(actual) & set(expected):
        if isinstance(expected[k], dict) or isinstance(actual[k], dict):
            same_keys(f"{path}.{k}", actual[k], expected[k])


def cluster_secret(outputs_file, fixture_file):
    """argocd_cluster_secret matches the contract the Argo CD ApplicationSet is written against.

    The fixture (argocd/tests/fixtures/clusters/dev.json) fixes the shape: the same keys at every
    level, including inside the JSON-encoded stringData.config; its values are examples (another
    account), so values are checked against the other outputs of this apply instead.
    """
    with open(outputs_file) as f:
        out = {k: v["value"] for k, v in json.load(f).items()}
    with open(fixture_file) as f:
        fixture = json.load(f)
    secret = out.get("argocd_cluster_secret")
    check(isinstance(secret, dict), "output argocd_cluster_secret is set")
    if not isinstance(secret, dict):
        return 1

    def decoded(s):
        try:
            return json.loads(s["stringData"]["config"])
        except (KeyError, TypeError, ValueError):
            return None

    config, fixture_config = decoded(secret), decoded(fixture)
    check(isinstance(config, dict), "stringData.config is a JSON object")
    actual = {**secret, "stringData": {**secret.get("stringData", {}), "config": config}}
    expected = {**fixture, "stringData": {**fixture.get("stringData", {}), "config": fixture_config}}
    same_keys("secret", actual, expected)
    for k in ("apiVersion", "kind", "type"):
        check(secret.get(k) == fixture.get(k), f"{k} is {fixture.get(k)!r}")
    meta = secret.get("metadata", {})
    fixture_meta = fixture.get("metadata", {})
    check(meta.get("namespace") == fixture_meta.get("namespace"), f"namespace is {fixture_meta.get('namespace')!r}")
    check(meta.get("labels") == fixture_meta.get("labels"), f"labels equal the fixture's: {meta.get('labels')}")
    check(meta.get("name") == f"cluster-{out.get('cluster_name')}", "metadata.name is cluster-<cluster_name>")

    ann = meta.get("annotations", {})
    for key, output in [
        ("infergate_aws_region", "region"),
        ("infergate_image_repository", "ecr_repository_url"),
        ("infergate_model_repository", "model_repository_uri"),
        ("infergate_service_account_name", "service_account_name"),
        ("infergate_namespace", "service_account_namespace"),
        ("infergate_irsa_role_arn", "service_irsa_role_arn"),
    ]:
        check(ann.get(key) == out.get(output) and bool(out.get(output)), f"annotation {key} == output {output} ({out.get(output)!r})")
    check(all(isinstance(v, str) for v in ann.values()), "annotation values are strings")

    data = secret.get("stringData", {})
    check(data.get("name") == out["cluster_name"], "stringData.name == cluster_name")
    check(data.get("server") == out["cluster_endpoint"], "stringData.server == cluster_endpoint")
    if isinstance(config, dict):
        auth, tls = config.get("awsAuthConfig", {}), config.get("tlsClientConfig", {})
        check(auth.get("clusterName") == out["cluster_name"], "config.awsAuthConfig.clusterName == cluster_name")
        check("roleARN" not in auth, "no roleARN without argocd_role_arn")
        check(tls.get("insecure") is False, "config.tlsClientConfig.insecure is false")
        check(tls.get("caData") == out["cluster_certificate_authority_data"],
              "config.tlsClientConfig.caData == cluster_certificate_authority_data")

    print(f"cluster secret: {'FAILED' if failures else 'matches the fixture contract'} ({len(failures)} failures)")
    return 1 if failures else 0


def empty_bucket(endpoint, bucket):
    """Deletes every object version and delete marker while versioning is still on.

    moto 5.2 crashes (FakeDeleteMarker has no dispose) when the provider's
    force_destroy deletes delete markers after versioning was suspended, which
    terraform destroy does for the state bucket (the S3 lock file leaves delete
    markers behind). Emptying it first keeps the destroy itself a real test.
    """
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="eu-central-1")
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
    count = 0
    for page in pages:
        for v in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
            count += 1
    print(f"emptied s3://{bucket}: {count} versions/delete markers removed")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "empty-bucket":
        sys.exit(empty_bucket(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 5 and sys.argv[1] == "state-in-bucket":
        sys.exit(state_in_bucket(sys.argv[2], sys.argv[3], sys.argv[4]))
    if len(sys.argv) == 4 and sys.argv[1] == "cluster-secret":
        sys.exit(cluster_secret(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 3 and sys.argv[1] == "replan-drift":
        sys.exit(replan_drift(sys.argv[2]))
    sys.exit(main())
