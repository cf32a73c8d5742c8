locals {
  tags = {
    environment   = var.environment
    owner         = var.owner
    "cost-center" = var.cost_center
    project       = "infergate"
    managed-by    = "terraform"
  }

  # The first az_count zones of the region unless the environment names its own.
  azs = coalesce(var.azs, [for letter in slice(["a", "b", "c", "d"], 0, var.az_count) : "${var.region}${letter}"])

  # The groups' shape is the same in every environment; only their sizes and the spot
  # instance types come from the environment's tfvars. (Attributes are spelled out rather
  # than merged so checkov can still evaluate the node groups and launch templates.)
  node_groups = merge(
    {
      system = {
        min_size       = var.node_group_sizes.system.min_size
        max_size       = var.node_group_sizes.system.max_size
        desired_size   = var.node_group_sizes.system.desired_size
        instance_types = ["m6i.large"]
        capacity_type  = "ON_DEMAND"
        labels         = { "infergate.io/pool" = "system" }
        taints = {
          critical = { key = "CriticalAddonsOnly", value = "true", effect = "NO_SCHEDULE" }
        }
      }
      inference-spot = {
        min_size       = var.node_group_sizes.inference-spot.min_size
        max_size       = var.node_group_sizes.inference-spot.max_size
        desired_size   = var.node_group_sizes.inference-spot.desired_size
        instance_types = var.inference_instance_types
        capacity_type  = "SPOT"
        labels         = { "infergate.io/pool" = "inference" }
      }
    },
    var.enable_gpu_node_group ? {
      gpu = {
        min_size       = var.node_group_sizes.gpu.min_size
        max_size       = var.node_group_sizes.gpu.max_size
        desired_size   = var.node_group_sizes.gpu.desired_size
        ami_type       = "AL2023_x86_64_NVIDIA"
        instance_types = var.gpu_instance_types
        capacity_type  = "ON_DEMAND"
        disk_size      = 100
        labels         = { "infergate.io/pool" = "gpu" }
        taints = {
          gpu = { key = "nvidia.com/gpu", value = "true", effect = "NO_SCHEDULE" }
        }
      }
    } : {}
  )

  # With scheduled_scale_down: every group goes to zero in the evening and back to its
  # normal size (the one above) in the morning.
  schedules = {
    for k, g in local.node_groups : k => {
      for name, s in {
        scale-down = { recurrence = var.scheduled_scale_down.scale_down_recurrence, min_size = 0, desired_size = 0 }
        scale-up   = { recurrence = var.scheduled_scale_down.scale_up_recurrence, min_size = g.min_size, desired_size = g.desired_size }
      } : name => merge(s, { max_size = g.max_size, time_zone = var.scheduled_scale_down.time_zone })
      if var.scheduled_scale_down.enabled
    }
  }
}

module "platform" {
  source = "../modules/infergate-platform"

  name               = var.name
  environment        = var.environment
  owner              = var.owner
  cost_center        = var.cost_center
  tags               = local.tags
  kubernetes_version = var.kubernetes_version

  vpc_cidr                                        = var.vpc_cidr
  azs                                             = local.azs
  single_nat_gateway                              = var.single_nat_gateway
  enable_flow_log                                 = var.enable_flow_log
  flow_log_cloudwatch_log_group_retention_in_days = var.flow_log_cloudwatch_log_group_retention_in_days

  endpoint_public_access                 = var.endpoint_public_access
  endpoint_public_access_cidrs           = var.endpoint_public_access_cidrs
  cloudwatch_log_group_retention_in_days = var.cloudwatch_log_group_retention_in_days
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

  eks_managed_node_groups = {
    for k, g in local.node_groups : k => merge(g, { schedules = local.schedules[k] })
  }

  service_account_namespace = var.service_account_namespace
  service_account_name      = var.service_account_name
  model_prefix              = var.model_prefix

  model_bucket_access_log_bucket                  = var.model_bucket_access_log_bucket
  model_bucket_noncurrent_version_expiration_days = var.model_bucket_noncurrent_version_expiration_days
  ecr_max_image_count                             = var.ecr_max_image_count

  # Only a disposable environment (dev) lets destroy remove leftover models, images and keys quickly.
  model_bucket_force_destroy      = var.disposable
  ecr_force_delete                = var.disposable
  kms_key_deletion_window_in_days = var.disposable ? 7 : 30
}
