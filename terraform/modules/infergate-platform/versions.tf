terraform {
  # 1.9+ for cross-variable validation; 1.10+ for S3 native state locking in the roots.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.95, < 6.0"
    }
  }
}
