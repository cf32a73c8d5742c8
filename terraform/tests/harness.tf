# Test harness root for `terraform test`: this directory holds the .tftest.hcl
# files, and every run block points at the module under test through
# `module { source = "../modules/infergate-platform" }`. The root itself
# creates nothing; it only declares the provider so `terraform init` installs it.
terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.95, < 6.0"
    }
  }
}
