################################################################################
# General
# Input names follow terraform-aws-modules/eks v21 (and terraform-aws-modules/vpc
# for the network) where an equivalent exists.
################################################################################

variable "name" {
  description = "Name of the EKS cluster. Also used as the prefix of every other resource name (IAM roles, KMS aliases, log groups, buckets)."
  type        = string

  validation {
    # Kept short so derived names (e.g. "<name>-models-<account id>" buckets, IAM role names) stay within AWS limits.
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen."
  }
}

variable "environment" {
  description = "Deployment environment; written to the `environment` tag of every resource."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "owner" {
  description = "Team or person owning the resources; written to the `owner` tag of every resource."
  type        = string

  validation {
    condition     = length(trimspace(var.owner)) > 0 && length(var.owner) <= 128
    error_message = "owner must be a non-empty string of at most 128 characters."
  }
}

variable "cost_center" {
  description = "Cost center the spend is booked on; written to the `cost-center` tag of every resource."
  type        = string

  validation {
    condition     = length(trimspace(var.cost_center)) > 0 && length(var.cost_center) <= 128
    error_message = "cost_center must be a non-empty string of at most 128 characters."
  }
}

variable "tags" {
  description = "A map of additional tags to add to all resources. `environment`, `owner` and `cost-center` are always added from the variables of the same name."
  type        = map(string)
  default     = {}
  nullable    = false
}

################################################################################
# VPC (names follow terraform-aws-modules/vpc)
################################################################################

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC. Private subnets get the lower half (a /19 each from a /16) and public subnets /24s from the upper half (proportionally smaller for /17 and /18)."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && can(regex("^[0-9.]+/(1[6-8])$", var.vpc_cidr))
    error_message = "vpc_cidr must be a valid IPv4 CIDR block with a prefix length between /16 and /18 (smaller VPCs leave too few pod IPs for the VPC CNI)."
  }
}

variable "azs" {
  description = "Availability zones to spread the subnets over (at least 2; 3 recommended for prod), e.g. [\"eu-central-1a\", \"eu-central-1b\"]."
  type        = list(string)

  validation {
    condition     = length(var.azs) >= 2 && length(var.azs) <= 4 && length(distinct(var.azs)) == length(var.azs)
    error_message = "azs must list 2 to 4 distinct availability zones (EKS needs subnets in at least two AZs)."
  }
}

variable "single_nat_gateway" {
  description = "Use one shared NAT gateway for all private subnets (cheap, for dev). When false, one NAT gateway is created per AZ so an AZ outage does not cut egress of the others (prod)."
  type        = bool
  default     = false
}

variable "enable_s3_gateway_endpoint" {
  description = "Create an S3 gateway VPC endpoint on the private route tables so model downloads bypass the NAT gateways (no NAT data processing charges)."
  type        = bool
  default     = true
}

variable "enable_flow_log" {
  description = "Enable VPC flow logs (all traffic) to an encrypted CloudWatch log group."
  type        = bool
  default     = false
}

variable "flow_log_cloudwatch_log_group_retention_in_days" {
  description = "Retention in days of the VPC flow log group."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_cloudwatch_log_group_retention_in_days)
    error_message = "flow_log_cloudwatch_log_group_retention_in_days must be a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

################################################################################
# Cluster
################################################################################

variable "kubernetes_version" {
  description = "Kubernetes `<major>.<minor>` version of the EKS control plane and managed node groups (pinned; upgrade one minor version at a time)."
  type        = string

  validation {
    condition     = can(regex("^1\\.(2[89]|3[0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be a pinned <major>.<minor> EKS version such as \"1.33\" (1.28 to 1.39)."
  }
}

variable "endpoint_public_access" {
  description = "Whether the Amazon EKS public API server endpoint is enabled. The private endpoint is always enabled."
  type        = bool
  default     = false
}

variable "endpoint_public_access_cidrs" {
  description = "List of CIDR blocks allowed to reach the public API server endpoint. Required (and 0.0.0.0/0 refused) when `endpoint_public_access` is true."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.endpoint_public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "endpoint_public_access_cidrs must contain valid CIDR blocks."
  }

  validation {
    condition     = !contains(var.endpoint_public_access_cidrs, "0.0.0.0/0")
    error_message = "endpoint_public_access_cidrs must not contain 0.0.0.0/0: list the networks that may reach the API server."
  }

  validation {
    condition     = !var.endpoint_public_access || length(var.endpoint_public_access_cidrs) > 0
    error_message = "endpoint_public_access_cidrs must list at least one CIDR block when endpoint_public_access is true."
  }
}

variable "enabled_log_types" {
  description = "Control plane log types sent to CloudWatch Logs."
  type        = list(string)
  default     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  nullable    = false

  validation {
    condition     = length(var.enabled_log_types) > 0 && alltrue([for t in var.enabled_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "enabled_log_types must be a non-empty subset of api, audit, authenticator, controllerManager, scheduler."
  }
}

variable "cloudwatch_log_group_retention_in_days" {
  description = "Number of days to retain the control plane logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.cloudwatch_log_group_retention_in_days)
    error_message = "cloudwatch_log_group_retention_in_days must be a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "create_kms_key" {
  description = "Create a customer managed KMS key (rotation on) for envelope encryption of Kubernetes secrets. When false, `encryption_config.provider_key_arn` must be set."
  type        = bool
  default     = true
}

variable "kms_key_deletion_window_in_days" {
  description = "Waiting period before a deleted KMS key (cluster, model bucket, logs) is removed."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30
    error_message = "kms_key_deletion_window_in_days must be between 7 and 30."
  }
}

variable "encryption_config" {
  description = "Envelope encryption of cluster resources (terraform-aws-modules/eks v21 shape). `provider_key_arn` defaults to the key created by this module; EKS supports (and this module requires) `resources = [\"secrets\"]`."
  type = object({
    provider_key_arn = optional(string)
    resources        = optional(list(string), ["secrets"])
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.encryption_config.resources == tolist(["secrets"])
    error_message = "encryption_config.resources must be [\"secrets\"]: Kubernetes secrets are always envelope-encrypted (and EKS supports nothing else)."
  }

  validation {
    condition     = var.encryption_config.provider_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.encryption_config.provider_key_arn))
    error_message = "encryption_config.provider_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }

  validation {
    condition     = var.create_kms_key || var.encryption_config.provider_key_arn != null
    error_message = "encryption_config.provider_key_arn is required when create_kms_key is false."
  }
}

variable "authentication_mode" {
  description = "Cluster authentication mode. `API` uses EKS access entries only (recommended)."
  type        = string
  default     = "API"

  validation {
    condition     = contains(["API", "API_AND_CONFIG_MAP"], var.authentication_mode)
    error_message = "authentication_mode must be API or API_AND_CONFIG_MAP."
  }
}

variable "enable_cluster_creator_admin_permissions" {
  description = "Give the identity that creates the cluster cluster-admin access through an access entry. Prefer explicit `access_entries`."
  type        = bool
  default     = false
}

variable "access_entries" {
  description = <<-EOT
    Map of EKS access entries. Each entry names an IAM principal and optional access policy associations, e.g.
    { admins = { principal_arn = "arn:aws:iam::111122223333:role/platform-admin", policy_associations = { admin = {
      policy_arn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", access_scope = { type = "cluster" } } } } }
  EOT
  type = map(object({
    principal_arn     = string
    type              = optional(string, "STANDARD")
    kubernetes_groups = optional(list(string))
    user_name         = optional(string)
    policy_associations = optional(map(object({
      policy_arn = string
      access_scope = object({
        type       = string
        namespaces = optional(list(string))
      })
    })), {})
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for e in values(var.access_entries) : can(regex("^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:(role|user|assumed-role)/", e.principal_arn))])
    error_message = "access_entries[*].principal_arn must be an IAM role or user ARN."
  }

  validation {
    condition = alltrue(flatten([for e in values(var.access_entries) : [
      for p in values(e.policy_associations) :
      contains(["cluster", "namespace"], p.access_scope.type) && can(regex("^arn:aws[a-z-]*:eks::aws:cluster-access-policy/", p.policy_arn))
    ]]))
    error_message = "access_entries[*].policy_associations need an EKS cluster access policy ARN and access_scope.type cluster or namespace."
  }
}

variable "addons" {
  description = <<-EOT
    Map of EKS managed add-ons, keyed by add-on name. `before_compute = true` creates the add-on before the node groups
    (network add-ons). The default adds metrics-server, which the chart's HPA needs. A null `addon_version` resolves to the most recent version for `kubernetes_version` (or the default
    version when `most_recent = false`). `aws-ebs-csi-driver` gets an IRSA role from this module unless `service_account_role_arn` is set.
  EOT
  type = map(object({
    name                        = optional(string)
    addon_version               = optional(string)
    most_recent                 = optional(bool, true)
    before_compute              = optional(bool, false)
    configuration_values        = optional(string)
    preserve                    = optional(bool, true)
    resolve_conflicts_on_create = optional(string, "OVERWRITE")
    resolve_conflicts_on_update = optional(string, "OVERWRITE")
    service_account_role_arn    = optional(string)
  }))
  default = {
    vpc-cni            = { before_compute = true }
    kube-proxy         = { before_compute = true }
    coredns            = {}
    aws-ebs-csi-driver = {}
    # The Metrics API (metrics.k8s.io) the chart's HorizontalPodAutoscaler scales on: without it
    # the HPA reports FailedGetResourceMetric and holds minReplicas. Its pods run on the untainted
    # inference nodes; the system group admits only CriticalAddonsOnly.
    metrics-server = {}
  }
  nullable = false

  validation {
    condition     = alltrue([for a in values(var.addons) : contains(["NONE", "OVERWRITE"], a.resolve_conflicts_on_create) && contains(["NONE", "OVERWRITE", "PRESERVE"], a.resolve_conflicts_on_update)])
    error_message = "addons[*].resolve_conflicts_on_create must be NONE or OVERWRITE, resolve_conflicts_on_update NONE, OVERWRITE or PRESERVE."
  }
}

################################################################################
# IRSA
################################################################################

variable "enable_irsa" {
  description = "Create the IAM OpenID Connect provider of the cluster (IRSA). Required for the service role and the EBS CSI driver role."
  type        = bool
  default     = true
}

variable "openid_connect_audiences" {
  description = "Client IDs (audiences) registered on the OIDC provider. sts.amazonaws.com is always included."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "custom_oidc_thumbprints" {
  description = <<-EOT
    SHA-1 thumbprints of the root CA of the cluster's OIDC issuer. Supplied as a variable because this module does not
    use the tls provider. The default is the public thumbprint of the root CA that serves oidc.eks.<region>.amazonaws.com;
    IAM also validates EKS issuers against its own trusted CA store.
  EOT
  type        = list(string)
  default     = ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
  nullable    = false

  validation {
    condition     = length(var.custom_oidc_thumbprints) >= 1 && length(var.custom_oidc_thumbprints) <= 5 && alltrue([for t in var.custom_oidc_thumbprints : can(regex("^[0-9a-fA-F]{40}$", t))])
    error_message = "custom_oidc_thumbprints must contain 1 to 5 SHA-1 thumbprints of 40 hexadecimal characters."
  }
}

variable "service_account_namespace" {
  description = "Kubernetes namespace of the inference service's service account (trusted by the IRSA role)."
  type        = string
  default     = "infergate"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.service_account_namespace))
    error_message = "service_account_namespace must be a valid Kubernetes namespace name (DNS-1123 label)."
  }
}

variable "service_account_name" {
  description = "Name of the inference service's Kubernetes service account (trusted by the IRSA role)."
  type        = string
  default     = "infergate"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.service_account_name))
    error_message = "service_account_name must be a valid Kubernetes service account name (DNS-1123 subdomain)."
  }
}

################################################################################
# Model bucket
################################################################################

variable "model_bucket_name" {
  description = "Name of the model bucket. Defaults to \"<name>-models-<account id>\"."
  type        = string
  default     = null

  validation {
    condition     = var.model_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.model_bucket_name))
    error_message = "model_bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "model_prefix" {
  description = "Key prefix (without leading or trailing slash) under which the service reads models. The IRSA role can list and read only below \"<model_prefix>/\"."
  type        = string
  default     = "models"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*$", var.model_prefix)) && !strcontains(var.model_prefix, "..")
    error_message = "model_prefix must be a non-empty key prefix of letters, digits, '_', '-', '.' and '/' separators, without leading or trailing slash."
  }
}

variable "model_bucket_noncurrent_version_expiration_days" {
  description = "Days after which noncurrent (overwritten or deleted) model object versions are expired."
  type        = number
  default     = 90

  validation {
    condition     = var.model_bucket_noncurrent_version_expiration_days >= 1 && var.model_bucket_noncurrent_version_expiration_days <= 3650
    error_message = "model_bucket_noncurrent_version_expiration_days must be between 1 and 3650."
  }
}

variable "model_bucket_force_destroy" {
  description = "Allow `terraform destroy` to delete the model bucket even if it still holds objects. Keep false outside throwaway environments."
  type        = bool
  default     = false
}

variable "model_bucket_access_log_bucket" {
  description = "Name of an existing bucket that receives S3 server access logs of the model bucket (null disables access logging)."
  type        = string
  default     = null
}

################################################################################
# ECR
################################################################################

variable "ecr_repository_name" {
  description = "Name of the ECR repository for the service image. Defaults to `name`."
  type        = string
  default     = null

  validation {
    condition     = var.ecr_repository_name == null || can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.ecr_repository_name))
    error_message = "ecr_repository_name must be a valid ECR repository name (lowercase, digits, '.', '_', '-', '/')."
  }
}

variable "ecr_max_image_count" {
  description = "Number of most recent images the ECR lifecycle policy keeps; older ones are expired."
  type        = number
  default     = 100

  validation {
    condition     = var.ecr_max_image_count >= 1 && var.ecr_max_image_count <= 10000 && floor(var.ecr_max_image_count) == var.ecr_max_image_count
    error_message = "ecr_max_image_count must be an integer between 1 and 10000."
  }
}

variable "ecr_untagged_image_expiration_days" {
  description = "Days after which untagged images (e.g. failed pushes, build caches) are expired."
  type        = number
  default     = 7

  validation {
    condition     = var.ecr_untagged_image_expiration_days >= 1 && var.ecr_untagged_image_expiration_days <= 365
    error_message = "ecr_untagged_image_expiration_days must be between 1 and 365."
  }
}

variable "ecr_force_delete" {
  description = "Allow `terraform destroy` to delete the ECR repository even if it still holds images."
  type        = bool
  default     = false
}

################################################################################
# Managed node groups
################################################################################

variable "eks_managed_node_groups" {
  description = <<-EOT
    Map of EKS managed node groups. All nodes run in the private subnets, require IMDSv2 and boot from encrypted gp3 volumes.
    SPOT groups must list at least two instance types; groups with an NVIDIA AMI must carry a NoSchedule taint.
    `schedules` adds scheduled scaling actions on the group's Auto Scaling group (e.g. scale dev to zero at night).
  EOT
  type = map(object({
    name           = optional(string)
    ami_type       = optional(string, "AL2023_x86_64_STANDARD")
    instance_types = list(string)
    capacity_type  = optional(string, "ON_DEMAND")
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size      = optional(number, 50)
    labels         = optional(map(string), {})
    taints = optional(map(object({
      key    = string
      value  = optional(string)
      effect = string
    })), {})
    max_unavailable_percentage = optional(number, 33)
    tags                       = optional(map(string), {})
    schedules = optional(map(object({
      recurrence   = string
      min_size     = number
      max_size     = number
      desired_size = number
      time_zone    = optional(string, "Etc/UTC")
    })), {})
  }))

  validation {
    condition     = length(var.eks_managed_node_groups) > 0
    error_message = "eks_managed_node_groups must define at least one node group."
  }

  validation {
    condition     = alltrue([for g in values(var.eks_managed_node_groups) : contains(["ON_DEMAND", "SPOT"], g.capacity_type)])
    error_message = "eks_managed_node_groups[*].capacity_type must be ON_DEMAND or SPOT."
  }

  validation {
    condition     = alltrue([for g in values(var.eks_managed_node_groups) : g.capacity_type != "SPOT" || length(distinct(g.instance_types)) >= 2])
    error_message = "SPOT node groups must list at least two distinct instance types so capacity can be found when one spot pool is reclaimed."
  }

  validation {
    condition     = alltrue([for g in values(var.eks_managed_node_groups) : length(g.instance_types) >= 1])
    error_message = "eks_managed_node_groups[*].instance_types must list at least one instance type."
  }

  validation {
    condition     = alltrue([for g in values(var.eks_managed_node_groups) : g.min_size >= 0 && g.min_size <= g.desired_size && g.desired_size <= g.max_size && g.max_size >= 1])
    error_message = "eks_managed_node_groups[*] sizes must satisfy 0 <= min_size <= desired_size <= max_size and max_size >= 1."
  }

  validation {
    condition = alltrue([for g in values(var.eks_managed_node_groups) : contains([
      "AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "AL2023_x86_64_NVIDIA", "AL2023_x86_64_NEURON",
      "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA",
    ], g.ami_type)])
    error_message = "eks_managed_node_groups[*].ami_type must be an AL2023 or Bottlerocket EKS AMI type (AL2 AMIs are end-of-life)."
  }

  validation {
    condition = alltrue([for g in values(var.eks_managed_node_groups) :
      !strcontains(g.ami_type, "NVIDIA") || anytrue([for t in values(g.taints) : t.effect == "NO_SCHEDULE"])
    ])
    error_message = "Node groups with an NVIDIA AMI must carry a NO_SCHEDULE taint so only GPU workloads land on the expensive nodes."
  }

  validation {
    condition     = alltrue(flatten([for g in values(var.eks_managed_node_groups) : [for t in values(g.taints) : contains(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"], t.effect)]]))
    error_message = "eks_managed_node_groups[*].taints[*].effect must be NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE."
  }

  validation {
    condition     = alltrue([for g in values(var.eks_managed_node_groups) : g.disk_size >= 20 && g.disk_size <= 16384])
    error_message = "eks_managed_node_groups[*].disk_size must be between 20 and 16384 GiB."
  }

  validation {
    condition     = alltrue([for g in values(var.eks_managed_node_groups) : g.max_unavailable_percentage >= 1 && g.max_unavailable_percentage <= 100])
    error_message = "eks_managed_node_groups[*].max_unavailable_percentage must be between 1 and 100."
  }

  validation {
    condition = alltrue(flatten([for g in values(var.eks_managed_node_groups) : [for s in values(g.schedules) :
      length(split(" ", s.recurrence)) == 5 && s.min_size >= 0 && s.min_size <= s.desired_size && s.desired_size <= s.max_size
    ]]))
    error_message = "eks_managed_node_groups[*].schedules[*] need a 5-field cron recurrence and 0 <= min_size <= desired_size <= max_size."
  }
}

variable "node_iam_role_additional_policies" {
  description = "Additional IAM policy ARNs attached to the node IAM role, keyed by a static name (e.g. { ssm = \"arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore\" })."
  type        = map(string)
  default     = {}
  nullable    = false
}

################################################################################
# Argo CD (GitOps bridge: the argocd_cluster_secret output)
################################################################################

variable "argocd_role_arn" {
  description = <<-EOT
    IAM role Argo CD assumes to reach this cluster (`awsAuthConfig.roleARN` of the argocd_cluster_secret output). When set,
    the module also gives that role a cluster-admin access entry. null: Argo CD uses its own identity (its pod's IRSA
    role), which then needs an access entry through `access_entries`.
  EOT
  type        = string
  default     = null

  validation {
    condition     = var.argocd_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", var.argocd_role_arn))
    error_message = "argocd_role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)."
  }

  validation {
    # EKS allows one access entry per principal: a second one for the same role would fail at apply time.
    condition     = var.argocd_role_arn == null || (!contains(keys(var.access_entries), "argocd") && !contains([for e in values(var.access_entries) : e.principal_arn], coalesce(var.argocd_role_arn, "-")))
    error_message = "argocd_role_arn gets its own access entry (key \"argocd\"): do not list the same role (or the key \"argocd\") in access_entries."
  }
}

variable "argocd_namespace" {
  description = "Namespace of the Argo CD installation the cluster Secret is applied to (metadata.namespace of argocd_cluster_secret)."
  type        = string
  default     = "argocd"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.argocd_namespace))
    error_message = "argocd_namespace must be a valid Kubernetes namespace name (DNS-1123 label)."
  }
}

variable "ingress_hostname" {
  description = "Public DNS name of the service's ingress; passed to the Helm chart through the `infergate_ingress_hostname` annotation of argocd_cluster_secret (omitted when null)."
  type        = string
  default     = null

  validation {
    # Lowercase FQDN (at least two labels, no wildcard): the AWS Load Balancer Controller looks up the ACM certificate by this name.
    condition     = var.ingress_hostname == null || (can(regex("^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.ingress_hostname)) && try(length(var.ingress_hostname) <= 253, false))
    error_message = "ingress_hostname must be a lowercase DNS hostname such as infergate.example.com (labels of letters, digits and hyphens, at most 253 characters)."
  }
}
