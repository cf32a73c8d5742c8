variable "bucket" {
  description = "Name of the bucket (the callers validate it as an S3 bucket name against their own inputs)."
  type        = string
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts every object (SSE-KMS, with an S3 bucket key)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias or the AWS managed aws/s3 key."
  }
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete the bucket while it still holds objects. Only for throwaway environments."
  type        = bool
  default     = false
  nullable    = false
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent (overwritten or deleted) object versions are expired."
  type        = number
  default     = 90
  nullable    = false

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of days, at least 1."
  }
}

variable "lifecycle_rule_id" {
  description = "ID of the lifecycle rule that expires noncurrent versions and aborts incomplete multipart uploads after 7 days."
  type        = string
  default     = "expire-noncurrent-versions"
  nullable    = false
}

variable "minimum_tls_version" {
  description = "Also deny requests made with a TLS version below this one (\"1.2\" or \"1.3\"); null adds no such statement. Requests without TLS are always denied."
  type        = string
  default     = null

  validation {
    condition     = var.minimum_tls_version == null || contains(["1.2", "1.3"], coalesce(var.minimum_tls_version, "-"))
    error_message = "minimum_tls_version must be null, \"1.2\" or \"1.3\"."
  }
}

variable "policy_statements" {
  description = "Further bucket policy statements (IAM JSON policy statements as HCL objects: Sid, Effect, Principal, Action, Resource, Condition), placed after the module's Deny statements. A public grant is refused by the public access block."
  type        = any
  default     = []
  nullable    = false

  validation {
    condition     = can(concat([], var.policy_statements)) && alltrue([for s in var.policy_statements : contains(["Allow", "Deny"], try(s.Effect, ""))])
    error_message = "policy_statements must be a list of policy statements, each with Effect \"Allow\" or \"Deny\"."
  }

  validation {
    condition     = alltrue([for s in var.policy_statements : !contains(["DenyInsecureTransport", "DenyOutdatedTLS"], try(s.Sid, ""))])
    error_message = "The Sids DenyInsecureTransport and DenyOutdatedTLS belong to the module's own statements."
  }
}

variable "access_log_bucket" {
  description = "Name of an existing bucket (e.g. the organisation's log archive) that receives the S3 server access logs, below s3-access/<bucket>/; null disables access logging."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of the bucket."
  type        = map(string)
  default     = {}
  nullable    = false
}
