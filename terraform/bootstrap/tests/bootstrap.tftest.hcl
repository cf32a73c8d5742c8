# Security tests of the bootstrap root (Terraform state bucket) with a mocked
# AWS provider: `terraform test` in bootstrap/ (terraform/test/module-and-bootstrap.test.ts runs it).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_resource "aws_s3_bucket" {
    defaults = {
      arn    = "arn:aws:s3:::infergate-tfstate-123456789012"
      region = "eu-central-1"
    }
  }

  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
  }
}

run "state_bucket_is_private_encrypted_and_versioned" {
  command = apply

  assert {
    condition     = module.state_bucket.bucket == "infergate-tfstate-123456789012" && !module.state_bucket.force_destroy
    error_message = "state bucket is named after the account and protected from destroy"
  }

  assert {
    condition     = module.state_bucket.versioning_status == "Enabled"
    error_message = "state bucket must be versioned"
  }

  assert {
    condition = alltrue([
      module.state_bucket.public_access_block.block_public_acls,
      module.state_bucket.public_access_block.block_public_policy,
      module.state_bucket.public_access_block.ignore_public_acls,
      module.state_bucket.public_access_block.restrict_public_buckets,
    ])
    error_message = "state bucket must block all public access"
  }

  assert {
    condition     = module.state_bucket.server_side_encryption.kms_master_key_id == aws_kms_key.state.arn && aws_kms_key.state.enable_key_rotation
    error_message = "state must be SSE-KMS encrypted with a rotating key"
  }

  assert {
    condition = anytrue([for s in jsondecode(module.state_bucket.policy).Statement :
      s.Effect == "Deny" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
    ])
    error_message = "state bucket policy must deny non-TLS access"
  }

  assert {
    condition     = module.state_bucket.lifecycle_rules[0].noncurrent_version_expiration[0].noncurrent_days == 365
    error_message = "old state versions are kept for a year, then expire"
  }

  assert {
    condition     = length(aws_dynamodb_table.lock) == 0 && strcontains(output.backend_config, "use_lockfile = true")
    error_message = "S3 native locking by default, no DynamoDB table"
  }
}

run "optional_lock_table_is_encrypted" {
  command = apply

  variables {
    create_lock_table = true
  }

  assert {
    condition     = aws_dynamodb_table.lock[0].hash_key == "LockID" && aws_dynamodb_table.lock[0].server_side_encryption[0].kms_key_arn == aws_kms_key.state.arn && aws_dynamodb_table.lock[0].point_in_time_recovery[0].enabled
    error_message = "lock table keyed by LockID, KMS-encrypted, with PITR"
  }

  assert {
    condition     = strcontains(output.backend_config, "dynamodb_table = \"infergate-tfstate-lock\"")
    error_message = "backend_config mentions the lock table when it exists"
  }
}
