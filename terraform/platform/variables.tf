################################################################################
# What differs between the environments: set in environments/<env>.tfvars.
################################################################################

variable "environment" {
  description = "Environment name (dev, staging, prod; the module validates it): the `environment` tag, the Argo CD label."
  type        = string
}

variable "name" {
  description = "Cluster name and prefix of all resource names (infergate-<environment>)."
  type        = string
}

variable "region" {
  description = "AWS region the environment runs in."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the environment's VPC (one per environment, so they could be peered)."
  type        = string
}

variable "az_count" {
  description = "Number of availability zones the environment spans: the first az_count of the region, or at least this many named in azs."
  type        = number

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4 && floor(var.az_count) == var.az_count
    error_message = "az_count must be 2, 3 or 4 (EKS needs subnets in at least two AZs)."
  }
}

variable "single_nat_gateway" {
  description = "One shared NAT gateway (cheaper) instead of one per AZ (an AZ outage does not cut the others' egress)."
  type        = bool
}

variable "enable_flow_log" {
  description = "VPC flow logs (all traffic) to an encrypted CloudWatch log group."
  type        = bool
}

variable "flow_log_cloudwatch_log_group_retention_in_days" {
  description = "Retention in days of the VPC flow log group (with enable_flow_log)."
  type        = number
  default     = 365
}

variable "cloudwatch_log_group_retention_in_days" {
  description = "Retention in days of the EKS control plane logs."
  type        = number
}

variable "node_group_sizes" {
  description = "Sizes of the managed node groups; the gpu entry applies with enable_gpu_node_group. A scheduled scale-up restores these sizes."
  type = object({
    system         = object({ min_size = number, max_size = number, desired_size = number })
    inference-spot = object({ min_size = number, max_size = number, desired_size = number })
    gpu            = object({ min_size = number, max_size = number, desired_size = number })
  })
}

variable "inference_instance_types" {
  description = "Instance types of the SPOT inference group (several, so capacity is found when one spot pool is reclaimed)."
  type        = list(string)
}

variable "model_bucket_noncurrent_version_expiration_days" {
  description = "Days after which overwritten or deleted model object versions expire."
  type        = number
}

variable "ecr_max_image_count" {
  description = "Number of most recent images the ECR lifecycle policy keeps."
  type        = number
}

variable "disposable" {
  description = "A throwaway environment: destroy also deletes the model bucket's objects and the repository's images, and KMS keys wait 7 instead of 30 days before deletion."
  type        = bool
  default     = false
}

variable "scheduled_scale_down" {
  description = "Scale all node groups to zero outside working hours (cron recurrences in time_zone); dev turns it on."
  type = object({
    enabled               = bool
    scale_down_recurrence = optional(string, "0 19 * * MON-FRI")
    scale_up_recurrence   = optional(string, "0 7 * * MON-FRI")
    time_zone             = optional(string, "Europe/Berlin")
  })
  default = { enabled = false }

  validation {
    condition     = length(split(" ", var.scheduled_scale_down.scale_down_recurrence)) == 5 && length(split(" ", var.scheduled_scale_down.scale_up_recurrence)) == 5
    error_message = "scheduled_scale_down recurrences must be 5-field cron expressions."
  }
}

variable "require_ingress_hostname" {
  description = "Refuse to plan without ingress_hostname (prod: values-prod.yaml turns TLS on, and the AWS Load Balancer Controller finds the ACM certificate by this name)."
  type        = bool
  default     = false
}

################################################################################
# Per deployment (account, access, options): -var on the command line or a
# local, uncommitted tfvars file.
################################################################################

variable "ingress_hostname" {
  description = "DNS name of the environment's ingress (internal ALB). null: the ALB answers any host. Passed to Argo CD as the infergate_ingress_hostname annotation."
  type        = string
  default     = null

  validation {
    condition     = var.ingress_hostname != null || !var.require_ingress_hostname
    error_message = "This environment (require_ingress_hostname) needs ingress_hostname, e.g. -var ingress_hostname=infergate.ml.example.com."
  }

  validation {
    condition     = var.ingress_hostname == null || (can(regex("^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.ingress_hostname)) && try(length(var.ingress_hostname) <= 253, false))
    error_message = "ingress_hostname must be a lowercase DNS hostname such as infergate.example.com."
  }
}

variable "allowed_account_ids" {
  description = "AWS account IDs this environment may be applied to (guards against applying with the wrong credentials). null allows any."
  type        = list(string)
  default     = null

  validation {
    condition     = var.allowed_account_ids == null || alltrue([for a in coalesce(var.allowed_account_ids, []) : can(regex("^[0-9]{12}$", a))])
    error_message = "allowed_account_ids must contain 12-digit AWS account IDs."
  }
}

variable "admin_role_arns" {
  description = "IAM role ARNs that get cluster-admin through EKS access entries."
  type        = list(string)
  default     = []
}

variable "argocd_role_arn" {
  description = "IAM role Argo CD assumes to reach this cluster (roleARN in the argocd_cluster_secret output; gets a cluster-admin access entry). null: Argo CD uses its own identity."
  type        = string
  default     = null
}

variable "azs" {
  description = "Availability zones, at least az_count of them; null means the first az_count of the region (a, b, ...)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.azs == null || length(coalesce(var.azs, [])) >= var.az_count
    error_message = "azs must name at least az_count availability zones (prod: three)."
  }
}

variable "owner" {
  description = "Value of the `owner` tag."
  type        = string
  default     = "platform-team"
}

variable "cost_center" {
  description = "Value of the `cost-center` tag."
  type        = string
  default     = "infergate"
}

variable "kubernetes_version" {
  description = "Pinned Kubernetes <major>.<minor> version of the cluster and node groups."
  type        = string
  default     = "1.33"
}

variable "endpoint_public_access" {
  description = "Enable the public API endpoint (the private endpoint is always on)."
  type        = bool
  default     = false
}

variable "endpoint_public_access_cidrs" {
  description = "CIDR blocks allowed to reach the public API endpoint (required when it is enabled)."
  type        = list(string)
  default     = []
}

variable "custom_oidc_thumbprints" {
  description = "Root CA thumbprints of the OIDC issuer; null uses the module default."
  type        = list(string)
  default     = null
}

variable "addons" {
  description = "EKS add-ons (terraform-aws-modules/eks v21 shape); null uses the module default (vpc-cni, kube-proxy, coredns, aws-ebs-csi-driver, metrics-server)."
  type        = any
  default     = null
}

variable "service_account_namespace" {
  description = "Namespace of the inference service account."
  type        = string
  default     = "infergate"
}

variable "service_account_name" {
  description = "Name of the inference service account."
  type        = string
  default     = "infergate"
}

variable "model_prefix" {
  description = "Key prefix the service reads models from."
  type        = string
  default     = "models"
}

variable "model_bucket_access_log_bucket" {
  description = "Existing bucket that receives S3 server access logs of the model bucket (e.g. the organisation's log archive); null disables access logging."
  type        = string
  default     = null
}

variable "enable_gpu_node_group" {
  description = "Add the GPU node group (NVIDIA AMI, tainted nvidia.com/gpu=true:NoSchedule, scales from zero), sized by node_group_sizes.gpu."
  type        = bool
  default     = false
}

variable "gpu_instance_types" {
  description = "Instance types of the GPU node group."
  type        = list(string)
  default     = ["g5.xlarge", "g6.xlarge"]
}
