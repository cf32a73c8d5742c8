# Security and behaviour tests of modules/infergate-platform with a mocked AWS
# provider (no credentials, no network): `terraform test` in the module's folder
# (terraform/test/module-and-bootstrap.test.ts runs it). Every run block applies the module itself.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name               = "infergate-test"
  environment        = "dev"
  owner              = "platform-team"
  cost_center        = "cc-1234"
  kubernetes_version = "1.33"
  azs                = ["eu-central-1a", "eu-central-1b"]
  single_nat_gateway = true

  eks_managed_node_groups = {
    system = {
      instance_types = ["m6i.large"]
      min_size       = 1
      max_size       = 2
      desired_size   = 1
      labels         = { "infergate.io/pool" = "system" }
      taints = {
        critical = { key = "CriticalAddonsOnly", value = "true", effect = "NO_SCHEDULE" }
      }
    }
    inference-spot = {
      instance_types = ["m6i.xlarge", "m6a.xlarge", "m5.xlarge"]
      capacity_type  = "SPOT"
      min_size       = 0
      max_size       = 3
      desired_size   = 1
    }
    gpu = {
      ami_type       = "AL2023_x86_64_NVIDIA"
      instance_types = ["g5.xlarge"]
      min_size       = 0
      max_size       = 1
      desired_size   = 0
      taints = {
        gpu = { key = "nvidia.com/gpu", value = "true", effect = "NO_SCHEDULE" }
      }
    }
  }
}

run "nodes_only_in_private_subnets" {
  command = apply

  assert {
    condition     = length(aws_eks_node_group.this) == 3
    error_message = "expected the three configured node groups"
  }

  assert {
    condition     = alltrue([for g in aws_eks_node_group.this : toset(g.subnet_ids) == toset(aws_subnet.private[*].id)])
    error_message = "every node group must use exactly the private subnets"
  }

  assert {
    condition     = length(setintersection(toset(flatten([for g in aws_eks_node_group.this : g.subnet_ids])), toset(aws_subnet.public[*].id))) == 0
    error_message = "no node group may use a public subnet"
  }

  assert {
    condition     = alltrue([for s in concat(aws_subnet.private, aws_subnet.public) : !s.map_public_ip_on_launch])
    error_message = "no subnet may assign public IPs on launch"
  }

  assert {
    condition     = alltrue([for s in aws_subnet.private : s.tags["kubernetes.io/role/internal-elb"] == "1"]) && alltrue([for s in aws_subnet.public : s.tags["kubernetes.io/role/elb"] == "1"])
    error_message = "subnets must carry the load balancer role tags"
  }

  assert {
    condition     = toset(aws_eks_cluster.this.vpc_config[0].subnet_ids) == toset(aws_subnet.private[*].id)
    error_message = "control plane ENIs must be in the private subnets"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && alltrue([for r in aws_route.private_nat : r.nat_gateway_id == aws_nat_gateway.this[0].id])
    error_message = "single_nat_gateway must route every private subnet through one NAT gateway"
  }

  assert {
    condition     = length(aws_flow_log.this) == 0
    error_message = "flow logs are off unless enable_flow_log is set"
  }
}

run "endpoint_private_and_secrets_encrypted" {
  command = apply

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].endpoint_private_access == true
    error_message = "the private endpoint must be on"
  }

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].endpoint_public_access == false
    error_message = "the public endpoint must be off by default"
  }

  assert {
    condition     = aws_eks_cluster.this.encryption_config[0].resources == toset(["secrets"])
    error_message = "Kubernetes secrets must be envelope-encrypted"
  }

  assert {
    condition     = aws_eks_cluster.this.encryption_config[0].provider[0].key_arn == aws_kms_key.eks[0].arn
    error_message = "secrets must be encrypted with the module's KMS key"
  }

  assert {
    condition     = aws_kms_key.eks[0].enable_key_rotation && aws_kms_key.model.enable_key_rotation && aws_kms_key.logs.enable_key_rotation
    error_message = "all KMS keys must rotate"
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.cluster_encryption.policy).Statement[0].Resource == aws_kms_key.eks[0].arn
    error_message = "the cluster role may use only the secrets key"
  }

  assert {
    condition     = toset(aws_eks_cluster.this.enabled_cluster_log_types) == toset(["api", "audit", "authenticator", "controllerManager", "scheduler"])
    error_message = "all control plane log types are enabled by default"
  }

  assert {
    condition     = aws_cloudwatch_log_group.cluster.name == "/aws/eks/infergate-test/cluster" && aws_cloudwatch_log_group.cluster.retention_in_days == 365 && aws_cloudwatch_log_group.cluster.kms_key_id == aws_kms_key.logs.arn
    error_message = "control plane logs need a pre-created, encrypted log group with retention"
  }

  assert {
    condition     = aws_eks_cluster.this.access_config[0].authentication_mode == "API" && aws_eks_cluster.this.access_config[0].bootstrap_cluster_creator_admin_permissions == false
    error_message = "access entries only, no implicit creator admin"
  }
}

run "model_bucket_not_public" {
  command = apply

  assert {
    condition = alltrue([
      module.model_bucket.public_access_block.block_public_acls,
      module.model_bucket.public_access_block.block_public_policy,
      module.model_bucket.public_access_block.ignore_public_acls,
      module.model_bucket.public_access_block.restrict_public_buckets,
    ])
    error_message = "the model bucket must block all public access"
  }

  assert {
    condition     = module.model_bucket.object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled on the model bucket"
  }

  assert {
    condition = anytrue([for s in jsondecode(module.model_bucket.policy).Statement :
      s.Effect == "Deny" && s.Principal == "*" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
    ])
    error_message = "the bucket policy must deny non-TLS requests"
  }

  assert {
    condition = anytrue([for s in jsondecode(module.model_bucket.policy).Statement :
      s.Effect == "Deny" && s.Principal == "*" && try(s.Condition.NumericLessThan["s3:TlsVersion"], "") == "1.2"
    ])
    error_message = "the bucket policy must deny requests made with TLS older than 1.2"
  }

  assert {
    condition     = alltrue([for s in jsondecode(module.model_bucket.policy).Statement : s.Effect == "Deny"])
    error_message = "the bucket policy must not grant anything (no Allow statements)"
  }

  assert {
    condition     = module.model_bucket.server_side_encryption.sse_algorithm == "aws:kms"
    error_message = "the model bucket must use SSE-KMS"
  }

  assert {
    condition     = module.model_bucket.server_side_encryption.kms_master_key_id == aws_kms_key.model.arn
    error_message = "the model bucket must be encrypted with the model key"
  }

  assert {
    condition     = module.model_bucket.versioning_status == "Enabled"
    error_message = "the model bucket must be versioned"
  }

  assert {
    condition     = module.model_bucket.lifecycle_rules[0].noncurrent_version_expiration[0].noncurrent_days == 90
    error_message = "noncurrent model versions must expire"
  }

  assert {
    condition     = module.model_bucket.bucket == "infergate-test-models-123456789012" && module.model_bucket.force_destroy == false
    error_message = "bucket name defaults to <name>-models-<account> and is protected from destroy"
  }

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE" && aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push
    error_message = "ECR tags must be immutable and images scanned on push"
  }

  assert {
    condition     = length(jsondecode(aws_ecr_lifecycle_policy.this.policy).rules) == 2
    error_message = "ECR needs the untagged and max-count lifecycle rules"
  }
}

run "irsa_read_only_on_model_prefix" {
  command = apply

  assert {
    condition     = toset(flatten([for s in jsondecode(aws_iam_policy.service[0].policy).Statement : s.Action])) == toset(["s3:ListBucket", "s3:GetObject", "kms:Decrypt"])
    error_message = "the service role may only list, get and decrypt"
  }

  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_policy.service[0].policy).Statement : s.Effect == "Allow" && !strcontains(jsonencode(s.Action), "*") && !contains(flatten([s.Resource]), "*")])
    error_message = "no wildcard actions or resources in the service policy"
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_policy.service[0].policy).Statement : s.Resource if s.Action == "s3:GetObject"]) == "${module.model_bucket.arn}/models/*"
    error_message = "GetObject must be scoped to objects below the model prefix"
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_policy.service[0].policy).Statement : s if s.Action == "s3:ListBucket"]).Resource == module.model_bucket.arn
    error_message = "ListBucket must be scoped to the model bucket"
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_policy.service[0].policy).Statement : s.Condition.StringLike["s3:prefix"] if s.Action == "s3:ListBucket"]) == ["models/", "models/*"]
    error_message = "ListBucket must be limited to the model prefix"
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_policy.service[0].policy).Statement : s.Resource if s.Action == "kms:Decrypt"]) == aws_kms_key.model.arn
    error_message = "kms:Decrypt must be scoped to the model key"
  }

  assert {
    condition     = jsondecode(aws_iam_role.service[0].assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE0123456789:sub"] == "system:serviceaccount:infergate:infergate"
    error_message = "the service role must trust only the infergate/infergate service account"
  }

  assert {
    condition     = jsondecode(aws_iam_role.service[0].assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE0123456789:aud"] == "sts.amazonaws.com"
    error_message = "the service role must require the sts audience"
  }

  assert {
    condition     = jsondecode(aws_iam_role.service[0].assume_role_policy).Statement[0].Principal.Federated == aws_iam_openid_connect_provider.this[0].arn
    error_message = "the service role must trust the cluster's OIDC provider"
  }

  assert {
    condition     = aws_iam_openid_connect_provider.this[0].thumbprint_list == tolist(["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]) && contains(aws_iam_openid_connect_provider.this[0].client_id_list, "sts.amazonaws.com")
    error_message = "OIDC provider uses the thumbprint variable and the sts audience"
  }

  assert {
    condition     = output.service_irsa_role_arn == aws_iam_role.service[0].arn
    error_message = "service_irsa_role_arn output must be the service role"
  }

  assert {
    condition     = output.model_repository_uri == "s3://infergate-test-models-123456789012/models"
    error_message = "model_repository_uri must be s3://<bucket>/<prefix>"
  }

  assert {
    condition     = output.helm_values.serviceAccount.irsaRoleArn == aws_iam_role.service[0].arn && output.helm_values.serviceAccount.annotations["eks.amazonaws.com/role-arn"] == aws_iam_role.service[0].arn
    error_message = "helm_values must carry the role annotation"
  }
}

run "irsa_follows_custom_prefix_and_service_account" {
  command = apply

  variables {
    model_prefix              = "team-a/models"
    service_account_namespace = "ml-serving"
    service_account_name      = "reader"
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_policy.service[0].policy).Statement : s.Resource if s.Action == "s3:GetObject"]) == "${module.model_bucket.arn}/team-a/models/*"
    error_message = "GetObject must follow model_prefix"
  }

  assert {
    condition     = jsondecode(aws_iam_role.service[0].assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE0123456789:sub"] == "system:serviceaccount:ml-serving:reader"
    error_message = "trust must follow the service account variables"
  }
}

run "node_groups_hardened" {
  command = apply

  assert {
    condition     = alltrue([for g in aws_eks_node_group.this : g.capacity_type != "SPOT" || length(g.instance_types) >= 2]) && anytrue([for g in aws_eks_node_group.this : g.capacity_type == "SPOT"])
    error_message = "the spot group must have at least two instance types"
  }

  assert {
    condition     = alltrue([for lt in aws_launch_template.node : lt.metadata_options[0].http_tokens == "required" && lt.metadata_options[0].http_put_response_hop_limit == 1])
    error_message = "IMDSv2 must be required on every node"
  }

  assert {
    condition     = alltrue([for lt in aws_launch_template.node : alltrue([for b in lt.block_device_mappings : b.ebs[0].encrypted == "true" && b.ebs[0].volume_type == "gp3"])])
    error_message = "node volumes must be encrypted gp3"
  }

  assert {
    condition     = aws_eks_node_group.this["gpu"].ami_type == "AL2023_x86_64_NVIDIA" && aws_eks_node_group.this["gpu"].scaling_config[0].min_size == 0
    error_message = "the GPU group uses the NVIDIA AMI and scales from zero"
  }

  assert {
    condition     = anytrue([for t in aws_eks_node_group.this["gpu"].taint : t.key == "nvidia.com/gpu" && t.effect == "NO_SCHEDULE"])
    error_message = "the GPU group must be tainted"
  }

  assert {
    condition     = alltrue([for g in aws_eks_node_group.this : g.tags["k8s.io/cluster-autoscaler/enabled"] == "true" && g.tags["k8s.io/cluster-autoscaler/infergate-test"] == "owned"])
    error_message = "node groups need the cluster-autoscaler discovery tags"
  }

  assert {
    condition     = length(aws_autoscaling_schedule.node_group) == 0
    error_message = "no scaling schedules unless configured"
  }
}

run "tags_on_everything" {
  command = apply

  variables {
    tags = { project = "infergate" }
  }

  assert {
    condition = alltrue([for t in [
      aws_vpc.this.tags, aws_eks_cluster.this.tags, module.model_bucket.tags, aws_ecr_repository.this.tags,
      aws_kms_key.model.tags, aws_iam_role.service[0].tags, aws_nat_gateway.this[0].tags, aws_eks_node_group.this["system"].tags,
      ] : t["environment"] == "dev" && t["owner"] == "platform-team" && t["cost-center"] == "cc-1234" && t["project"] == "infergate"
    ])
    error_message = "resources must carry environment, owner, cost-center and the extra tags"
  }

  assert {
    condition     = alltrue([for lt in aws_launch_template.node : alltrue([for ts in lt.tag_specifications : ts.tags["cost-center"] == "cc-1234"])])
    error_message = "instances and volumes launched by the node groups must be tagged too"
  }
}

run "prod_like_network" {
  command = apply

  variables {
    environment        = "prod"
    azs                = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
    single_nat_gateway = false
    enable_flow_log    = true
  }

  assert {
    condition     = length(aws_subnet.private) == 3 && length(distinct(aws_subnet.private[*].availability_zone)) == 3
    error_message = "one private subnet per AZ"
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 3 && alltrue([for i, r in aws_route.private_nat : r.nat_gateway_id == aws_nat_gateway.this[i].id])
    error_message = "one NAT gateway per AZ, each private subnet routed through its own"
  }

  assert {
    condition     = aws_flow_log.this[0].traffic_type == "ALL" && aws_cloudwatch_log_group.flow_log[0].kms_key_id == aws_kms_key.logs.arn
    error_message = "flow logs capture all traffic into an encrypted log group"
  }

  assert {
    condition     = !anytrue([for s in jsondecode(aws_iam_role_policy.flow_log[0].policy).Statement : contains(flatten([s.Resource]), "*")])
    error_message = "the flow log role may only write to its log group"
  }
}

run "public_endpoint_with_allow_list" {
  command = apply

  variables {
    endpoint_public_access       = true
    endpoint_public_access_cidrs = ["203.0.113.0/24"]
  }

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].endpoint_public_access && aws_eks_cluster.this.vpc_config[0].endpoint_private_access
    error_message = "public endpoint on, private endpoint still on"
  }

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].public_access_cidrs == toset(["203.0.113.0/24"])
    error_message = "the public endpoint is limited to the allow-list"
  }
}

run "access_entries_addons_and_schedules" {
  command = apply

  variables {
    access_entries = {
      admins = {
        principal_arn = "arn:aws:iam::123456789012:role/platform-admin"
        policy_associations = {
          admin = {
            policy_arn   = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
            access_scope = { type = "cluster" }
          }
        }
      }
    }
    eks_managed_node_groups = {
      system = {
        instance_types = ["m6i.large"]
        min_size       = 1
        max_size       = 2
        desired_size   = 1
        schedules = {
          scale-down = { recurrence = "0 19 * * MON-FRI", min_size = 0, max_size = 2, desired_size = 0, time_zone = "Europe/Berlin" }
          scale-up   = { recurrence = "0 7 * * MON-FRI", min_size = 1, max_size = 2, desired_size = 1, time_zone = "Europe/Berlin" }
        }
      }
    }
  }

  assert {
    condition     = aws_eks_access_entry.this["admins"].principal_arn == "arn:aws:iam::123456789012:role/platform-admin"
    error_message = "admin access entry created"
  }

  assert {
    condition     = aws_eks_access_policy_association.this["admins_admin"].access_scope[0].type == "cluster"
    error_message = "admin policy associated cluster-wide"
  }

  assert {
    condition     = toset(keys(aws_eks_addon.before_compute)) == toset(["vpc-cni", "kube-proxy"]) && toset(keys(aws_eks_addon.this)) == toset(["coredns", "aws-ebs-csi-driver", "metrics-server"])
    error_message = "network add-ons before the nodes; coredns, ebs-csi and metrics-server (the HPA's Metrics API) after"
  }

  assert {
    condition     = aws_eks_addon.this["aws-ebs-csi-driver"].service_account_role_arn == aws_iam_role.ebs_csi[0].arn
    error_message = "the EBS CSI driver gets its IRSA role"
  }

  assert {
    condition     = jsondecode(aws_iam_role.ebs_csi[0].assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE0123456789:sub"] == "system:serviceaccount:kube-system:ebs-csi-controller-sa"
    error_message = "the EBS CSI role trusts only its controller service account"
  }

  assert {
    condition     = aws_autoscaling_schedule.node_group["system-scale-down"].desired_capacity == 0 && aws_autoscaling_schedule.node_group["system-scale-up"].desired_capacity == 1
    error_message = "scale-down/up schedules are created"
  }

  assert {
    condition     = aws_autoscaling_schedule.node_group["system-scale-down"].autoscaling_group_name == "eks-mock-asg"
    error_message = "schedules target the node group's Auto Scaling group"
  }
}

# ---------------------------------------------------------------------------
# GitOps bridge: the Argo CD cluster Secret (contract: argocd/tests/fixtures/clusters/*.json).
# ---------------------------------------------------------------------------

run "argocd_cluster_secret_without_role" {
  command = apply

  assert {
    condition     = output.argocd_cluster_secret.apiVersion == "v1" && output.argocd_cluster_secret.kind == "Secret" && output.argocd_cluster_secret.type == "Opaque"
    error_message = "the cluster secret is a v1 Opaque Secret"
  }

  assert {
    condition     = output.argocd_cluster_secret.metadata.name == "cluster-infergate-test" && output.argocd_cluster_secret.metadata.namespace == "argocd"
    error_message = "the cluster secret is named cluster-<cluster name> in the argocd namespace"
  }

  assert {
    condition = output.argocd_cluster_secret.metadata.labels == {
      "argocd.argoproj.io/secret-type" = "cluster"
      "app.kubernetes.io/part-of"      = "infergate"
      "infergate.io/environment"       = "dev"
    }
    error_message = "the cluster secret carries exactly the Argo CD cluster, part-of and environment labels"
  }

  assert {
    condition = output.argocd_cluster_secret.metadata.annotations == {
      "infergate_aws_region"           = output.region
      "infergate_image_repository"     = output.ecr_repository_url
      "infergate_model_repository"     = output.model_repository_uri
      "infergate_service_account_name" = output.service_account_name
      "infergate_namespace"            = output.service_account_namespace
      "infergate_irsa_role_arn"        = output.service_irsa_role_arn
    }
    error_message = "every annotation equals the output of the same meaning, and there is no ingress-hostname annotation without ingress_hostname"
  }

  assert {
    condition     = output.argocd_cluster_secret.stringData.name == output.cluster_name && output.argocd_cluster_secret.stringData.server == output.cluster_endpoint
    error_message = "stringData name/server are the cluster name and endpoint"
  }

  assert {
    condition     = jsondecode(output.argocd_cluster_secret.stringData.config) == { awsAuthConfig = { clusterName = "infergate-test" }, tlsClientConfig = { insecure = false, caData = output.cluster_certificate_authority_data } }
    error_message = "config authenticates through awsAuthConfig without roleARN and verifies TLS against the cluster CA"
  }

  assert {
    condition     = length(aws_eks_access_entry.this) == 0 && length(aws_eks_access_policy_association.this) == 0
    error_message = "no Argo CD access entry without argocd_role_arn"
  }
}

run "argocd_cluster_secret_with_role_and_hostname" {
  command = apply

  variables {
    environment      = "prod"
    argocd_role_arn  = "arn:aws:iam::123456789012:role/argocd-manager"
    argocd_namespace = "gitops"
    ingress_hostname = "infergate.ml.internal.example.com"
    access_entries = {
      admins = {
        principal_arn = "arn:aws:iam::123456789012:role/platform-admin"
      }
    }
  }

  assert {
    condition     = jsondecode(output.argocd_cluster_secret.stringData.config).awsAuthConfig == { clusterName = "infergate-test", roleARN = "arn:aws:iam::123456789012:role/argocd-manager" }
    error_message = "config carries roleARN when argocd_role_arn is set"
  }

  assert {
    condition     = jsondecode(output.argocd_cluster_secret.stringData.config).tlsClientConfig.caData == aws_eks_cluster.this.certificate_authority[0].data
    error_message = "config verifies TLS against the cluster CA"
  }

  assert {
    condition     = output.argocd_cluster_secret.metadata.annotations["infergate_ingress_hostname"] == "infergate.ml.internal.example.com" && length(output.argocd_cluster_secret.metadata.annotations) == 7
    error_message = "ingress_hostname adds the ingress-hostname annotation"
  }

  assert {
    condition     = output.argocd_cluster_secret.metadata.namespace == "gitops" && output.argocd_cluster_secret.metadata.labels["infergate.io/environment"] == "prod"
    error_message = "namespace and environment label follow the variables"
  }

  assert {
    condition     = aws_eks_access_entry.this["argocd"].principal_arn == "arn:aws:iam::123456789012:role/argocd-manager" && aws_eks_access_entry.this["argocd"].type == "STANDARD"
    error_message = "argocd_role_arn gets an access entry"
  }

  assert {
    condition     = aws_eks_access_policy_association.this["argocd_cluster-admin"].policy_arn == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" && aws_eks_access_policy_association.this["argocd_cluster-admin"].access_scope[0].type == "cluster"
    error_message = "the Argo CD role is cluster admin cluster-wide (it creates the Namespace)"
  }

  assert {
    condition     = toset(keys(aws_eks_access_entry.this)) == toset(["admins", "argocd"])
    error_message = "the Argo CD entry is merged with access_entries, not replacing them"
  }
}

run "rejects_bad_argocd_role_arn" {
  command = plan

  variables {
    argocd_role_arn = "arn:aws:iam::123456789012:user/argocd"
  }

  expect_failures = [var.argocd_role_arn]
}

run "rejects_argocd_role_also_in_access_entries" {
  command = plan

  variables {
    argocd_role_arn = "arn:aws:iam::123456789012:role/argocd-manager"
    access_entries = {
      gitops = { principal_arn = "arn:aws:iam::123456789012:role/argocd-manager" }
    }
  }

  expect_failures = [var.argocd_role_arn]
}

run "rejects_bad_ingress_hostname" {
  command = plan

  variables {
    ingress_hostname = "https://Infergate.example.com/"
  }

  expect_failures = [var.ingress_hostname]
}

# ---------------------------------------------------------------------------
# Bad inputs are rejected at plan time.
# ---------------------------------------------------------------------------

run "rejects_public_endpoint_open_to_the_world" {
  command = plan

  variables {
    endpoint_public_access       = true
    endpoint_public_access_cidrs = ["0.0.0.0/0"]
  }

  expect_failures = [var.endpoint_public_access_cidrs]
}

run "rejects_public_endpoint_without_allow_list" {
  command = plan

  variables {
    endpoint_public_access = true
  }

  expect_failures = [var.endpoint_public_access_cidrs]
}

run "rejects_spot_group_with_one_instance_type" {
  command = plan

  variables {
    eks_managed_node_groups = {
      spot = { instance_types = ["m6i.xlarge"], capacity_type = "SPOT", min_size = 0, max_size = 2, desired_size = 1 }
    }
  }

  expect_failures = [var.eks_managed_node_groups]
}

run "rejects_untainted_gpu_group" {
  command = plan

  variables {
    eks_managed_node_groups = {
      gpu = { ami_type = "AL2023_x86_64_NVIDIA", instance_types = ["g5.xlarge"], min_size = 0, max_size = 1, desired_size = 0 }
    }
  }

  expect_failures = [var.eks_managed_node_groups]
}

run "rejects_single_az" {
  command = plan

  variables {
    azs = ["eu-central-1a"]
  }

  expect_failures = [var.azs]
}

run "rejects_unencrypted_secrets" {
  command = plan

  variables {
    encryption_config = { resources = [] }
  }

  expect_failures = [var.encryption_config]
}

run "rejects_unpinned_kubernetes_version" {
  command = plan

  variables {
    kubernetes_version = "latest"
  }

  expect_failures = [var.kubernetes_version]
}

run "rejects_bad_model_prefix" {
  command = plan

  variables {
    model_prefix = "/models/"
  }

  expect_failures = [var.model_prefix]
}

run "rejects_bad_thumbprint" {
  command = plan

  variables {
    custom_oidc_thumbprints = ["not-a-thumbprint"]
  }

  expect_failures = [var.custom_oidc_thumbprints]
}
