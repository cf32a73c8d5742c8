variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "eu-central-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
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

variable "name" {
  description = "Cluster name and prefix of all resource names."
  type        = string
  default     = "infergate-dev"
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

variable "azs" {
  description = "Availability zones; null means the first two of the region (a, b)."
  type        = list(string)
  default     = null
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
  description = "EKS add-ons (terraform-aws-modules/eks v21 shape); null uses the module default (vpc-cni, kube-proxy, coredns, aws-ebs-csi-driver)."
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
  description = "Add the GPU node group (NVIDIA AMI, tainted nvidia.com/gpu=true:NoSchedule, scales from zero)."
  type        = bool
  default     = false
}

variable "gpu_instance_types" {
  description = "Instance types of the GPU node group."
  type        = list(string)
  default     = ["g5.xlarge", "g6.xlarge"]
}

variable "scheduled_scale_down" {
  description = "Scale all dev node groups to zero outside working hours (cron recurrences in time_zone)."
  type = object({
    enabled               = bool
    scale_down_recurrence = optional(string, "0 19 * * MON-FRI")
    scale_up_recurrence   = optional(string, "0 7 * * MON-FRI")
    time_zone             = optional(string, "Europe/Berlin")
  })
  default = { enabled = true }

  validation {
    condition     = length(split(" ", var.scheduled_scale_down.scale_down_recurrence)) == 5 && length(split(" ", var.scheduled_scale_down.scale_up_recurrence)) == 5
    error_message = "scheduled_scale_down recurrences must be 5-field cron expressions."
  }
}
