# Security tests of modules/private-s3-bucket with a mocked AWS provider (no
# credentials, no network): `terraform test` in the module's folder
# (terraform/test/module-and-bootstrap.test.ts runs it). Every run block applies the module.

mock_provider "aws" {
  mock_resource "aws_s3_bucket" {
    defaults = {
      arn    = "arn:aws:s3:::infergate-example-bucket"
      region = "eu-central-1"
    }
  }
}

variables {
  bucket      = "infergate-example-bucket"
  kms_key_arn = "arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555"
}

run "private_versioned_kms_encrypted_tls_only" {
  command = apply

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "the bucket must block all public access"
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled"
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "the bucket must be versioned"
  }

  assert {
    condition = one([for r in aws_s3_bucket_server_side_encryption_configuration.this.rule : one(r.apply_server_side_encryption_by_default)]) == {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
    error_message = "objects must be SSE-KMS encrypted with the given key"
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled
    error_message = "the S3 bucket key must be on (fewer KMS requests)"
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this.policy).Statement == [{ Sid = "DenyInsecureTransport", Effect = "Deny", Principal = "*", Action = "s3:*", Resource = ["arn:aws:s3:::infergate-example-bucket", "arn:aws:s3:::infergate-example-bucket/*"], Condition = { Bool = { "aws:SecureTransport" = "false" } } }]
    error_message = "by default the policy is exactly one statement: deny every request to the bucket and its objects that is not made over TLS"
  }

  assert {
    condition     = aws_s3_bucket_policy.this.bucket == aws_s3_bucket.this.id
    error_message = "the policy must be attached to the bucket"
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this.rule[0].id == "expire-noncurrent-versions" && aws_s3_bucket_lifecycle_configuration.this.rule[0].status == "Enabled" && aws_s3_bucket_lifecycle_configuration.this.rule[0].noncurrent_version_expiration[0].noncurrent_days == 90 && aws_s3_bucket_lifecycle_configuration.this.rule[0].abort_incomplete_multipart_upload[0].days_after_initiation == 7
    error_message = "noncurrent versions expire after 90 days by default, incomplete multipart uploads after 7"
  }

  assert {
    condition     = aws_s3_bucket.this.bucket == "infergate-example-bucket" && !aws_s3_bucket.this.force_destroy
    error_message = "the bucket is protected from destroy by default"
  }

  assert {
    condition     = length(aws_s3_bucket_logging.this) == 0 && output.access_log_target == null
    error_message = "no access logging unless a log bucket is named"
  }
}

run "outputs_read_back_the_settings" {
  command = apply

  variables {
    force_destroy                      = true
    noncurrent_version_expiration_days = 365
    lifecycle_rule_id                  = "expire-old-state-versions"
    tags                               = { environment = "dev", owner = "platform-team" }
  }

  assert {
    condition     = output.bucket == aws_s3_bucket.this.bucket && output.arn == aws_s3_bucket.this.arn && output.region == "eu-central-1" && output.force_destroy
    error_message = "bucket, arn, region and force_destroy come from the bucket"
  }

  assert {
    condition     = output.tags == tomap({ environment = "dev", owner = "platform-team" }) && aws_s3_bucket.this.tags == output.tags
    error_message = "the tags are set on the bucket"
  }

  assert {
    condition     = output.public_access_block == { block_public_acls = true, block_public_policy = true, ignore_public_acls = true, restrict_public_buckets = true }
    error_message = "public_access_block reads the public access block"
  }

  assert {
    condition     = output.object_ownership == "BucketOwnerEnforced" && output.versioning_status == "Enabled"
    error_message = "object_ownership and versioning_status read the bucket's settings"
  }

  assert {
    condition     = output.server_side_encryption == { sse_algorithm = "aws:kms", kms_master_key_id = var.kms_key_arn, bucket_key_enabled = true }
    error_message = "server_side_encryption reads the default encryption"
  }

  assert {
    condition     = output.lifecycle_rules[0].id == "expire-old-state-versions" && output.lifecycle_rules[0].noncurrent_version_expiration[0].noncurrent_days == 365
    error_message = "lifecycle_rules reads the lifecycle configuration (rule id and days as given)"
  }

  assert {
    condition     = output.policy == aws_s3_bucket_policy.this.policy
    error_message = "policy is the attached bucket policy"
  }
}

run "minimum_tls_version_denies_older_tls" {
  command = apply

  variables {
    minimum_tls_version = "1.2"
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this.policy).Statement : s.Sid] == ["DenyInsecureTransport", "DenyOutdatedTLS"]
    error_message = "the TLS version statement follows the TLS-only statement"
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this.policy).Statement[1] == { Sid = "DenyOutdatedTLS", Effect = "Deny", Principal = "*", Action = "s3:*", Resource = ["arn:aws:s3:::infergate-example-bucket", "arn:aws:s3:::infergate-example-bucket/*"], Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } } }
    error_message = "requests with TLS older than 1.2 are denied on the bucket and its objects"
  }
}

run "caller_statements_follow_the_deny_statements" {
  command = apply

  variables {
    minimum_tls_version = "1.3"
    policy_statements = [{
      Sid       = "AllowLogDelivery"
      Effect    = "Allow"
      Principal = { Service = "logging.s3.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "arn:aws:s3:::infergate-example-bucket/s3-access/*"
    }]
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this.policy).Statement : s.Sid] == ["DenyInsecureTransport", "DenyOutdatedTLS", "AllowLogDelivery"]
    error_message = "the caller's statements come after the module's Deny statements, which stay"
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this.policy).Statement[1].Condition.NumericLessThan["s3:TlsVersion"] == "1.3" && jsondecode(aws_s3_bucket_policy.this.policy).Statement[2].Principal.Service == "logging.s3.amazonaws.com"
    error_message = "the caller's statement and TLS version are taken as given"
  }
}

run "access_logging_to_the_named_bucket" {
  command = apply

  variables {
    access_log_bucket = "org-log-archive"
  }

  assert {
    condition     = aws_s3_bucket_logging.this[0].bucket == aws_s3_bucket.this.id && aws_s3_bucket_logging.this[0].target_bucket == "org-log-archive" && aws_s3_bucket_logging.this[0].target_prefix == "s3-access/infergate-example-bucket/"
    error_message = "server access logs go to the log bucket below s3-access/<bucket>/"
  }

  assert {
    condition     = output.access_log_target == { bucket = "org-log-archive", prefix = "s3-access/infergate-example-bucket/" }
    error_message = "access_log_target names where the logs go"
  }
}

run "rejects_a_key_alias" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-central-1:123456789012:alias/aws/s3"
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_zero_days" {
  command = plan

  variables {
    noncurrent_version_expiration_days = 0
  }

  expect_failures = [var.noncurrent_version_expiration_days]
}

run "rejects_old_tls" {
  command = plan

  variables {
    minimum_tls_version = "1.1"
  }

  expect_failures = [var.minimum_tls_version]
}

run "rejects_a_statement_without_effect" {
  command = plan

  variables {
    policy_statements = [{ Sid = "NoEffect", Principal = "*", Action = "s3:GetObject", Resource = "*" }]
  }

  expect_failures = [var.policy_statements]
}

run "rejects_a_statement_taking_a_module_sid" {
  command = plan

  variables {
    policy_statements = [{ Sid = "DenyInsecureTransport", Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "s3:*", Resource = "*" }]
  }

  expect_failures = [var.policy_statements]
}
