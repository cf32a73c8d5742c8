variable "region" {
  description = "AWS region of the state bucket (use the region of the environments)."
  type        = string
  default     = "eu-central-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
  }
}

variable "allowed_account_ids" {
  description = "AWS account IDs this root may be applied to. null allows any."
  type        = list(string)
  default     = null
}

variable "state_bucket_name" {
  description = "Name of the Terraform state bucket. Defaults to \"infergate-tfstate-<account id>\"."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name."
  }
}

variable "create_lock_table" {
  description = "Also create a DynamoDB lock table. Not needed with S3 native locking (`use_lockfile = true`, Terraform >= 1.10); only for older Terraform clients."
  type        = bool
  default     = false
}

variable "lock_table_name" {
  description = "Name of the optional DynamoDB lock table."
  type        = string
  default     = "infergate-tfstate-lock"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.lock_table_name))
    error_message = "lock_table_name must be 3-255 characters of letters, digits, '_', '-', '.'."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which old state file versions are expired."
  type        = number
  default     = 365

  validation {
    condition     = var.noncurrent_version_expiration_days >= 30
    error_message = "noncurrent_version_expiration_days must be at least 30 so a broken state can still be rolled back."
  }
}

variable "force_destroy" {
  description = "Allow destroying the state bucket while it still holds state files. Only for throwaway test accounts."
  type        = bool
  default     = false
}

variable "access_log_bucket" {
  description = "Name of an existing bucket (e.g. the organisation's log archive) that receives S3 server access logs of the state bucket; null disables access logging."
  type        = string
  default     = null
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
