locals {
  environment = "prod"

  tags = {
    environment   = local.environment
    owner         = var.owner
    "cost-center" = var.cost_center
    project       = "infergate"
    managed-by    = "terraform"
  }

  node_groups = merge(
    {
      system = {
        instance_types = ["m6i.large"]
        capacity_type  = "ON_DEMAND"
        min_size       = 3
        max_size       = 6
        desired_size   = 3
        labels         = { "infergate.io/pool" = "system" }
        taints = {
          critical = { key = "CriticalAddonsOnly", value = "true", effect = "NO_SCHEDULE" }
        }
      }
      inference-spot = {
        instance_types = ["m6i.xlarge", "m6a.xlarge", "m5.xlarge", "m5a.xlarge", "m7i.xlarge"]
        capacity_type  = "SPOT"
        min_size       = 3
        max_size       = 20
        desired_size   = 3
        labels         = { "infergate.io/pool" = "inference" }
      }
    },
    var.enable_gpu_node_group ? {
      gpu = {
        ami_type       = "AL2023_x86_64_NVIDIA"
        instance_types = var.gpu_instance_types
        capacity_type  = "ON_DEMAND"
        min_size       = 0
        max_size       = 4
        desired_size   = 0
        disk_size      = 100
        labels         = { "infergate.io/pool" = "gpu" }
        taints = {
          gpu = { key = "nvidia.com/gpu", value = "true", effect = "NO_SCHEDULE" }
        }
      }
    } : {}
  )
}

module "platform" {
  source = "../../modules/infergate-platform"

  name               = var.name
  environment        = local.environment
  owner              = var.owner
  cost_center        = var.cost_center
  tags               = local.tags
  kubernetes_version = var.kubernetes_version

  # Network: three AZs with one NAT gateway each (no cross-AZ egress dependency), flow logs kept a year.
  vpc_cidr                                        = "10.30.0.0/16"
  azs                                             = coalesce(var.azs, ["${var.region}a", "${var.region}b", "${var.region}c"])
  single_nat_gateway                              = false
  enable_flow_log                                 = true
  flow_log_cloudwatch_log_group_retention_in_days = 365

  endpoint_public_access                 = var.endpoint_public_access
  endpoint_public_access_cidrs           = var.endpoint_public_access_cidrs
  cloudwatch_log_group_retention_in_days = 365
  custom_oidc_thumbprints                = var.custom_oidc_thumbprints
  addons                                 = var.addons

  access_entries = {
    for i, arn in var.admin_role_arns : "admin-${i}" => {
      principal_arn = arn
      policy_associations = {
        cluster-admin = {
          policy_arn   = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
          access_scope = { type = "cluster" }
        }
      }
    }
  }

  # GitOps bridge: the argocd_cluster_secret output registers this cluster in Argo CD.
  argocd_role_arn  = var.argocd_role_arn
  ingress_hostname = var.ingress_hostname

  eks_managed_node_groups = local.node_groups

  service_account_namespace = var.service_account_namespace
  service_account_name      = var.service_account_name
  model_prefix              = var.model_prefix

  model_bucket_access_log_bucket = var.model_bucket_access_log_bucket

  model_bucket_noncurrent_version_expiration_days = 90
  ecr_max_image_count                             = 200
}
