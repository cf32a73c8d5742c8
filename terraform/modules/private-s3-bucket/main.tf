################################################################################
# A private S3 bucket: versioned, SSE-KMS with the caller's key (bucket key on),
# all public access blocked, ACLs disabled, a bucket policy that denies every
# request not made over TLS (followed by the caller's statements), noncurrent
# versions expiring, optional server access logging.
################################################################################

locals {
  bucket_and_objects = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

  policy_statements = concat(
    [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = local.bucket_and_objects
      Condition = {
        Bool = { "aws:SecureTransport" = "false" }
      }
    }],
    var.minimum_tls_version == null ? [] : [{
      Sid       = "DenyOutdatedTLS"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = local.bucket_and_objects
      Condition = {
        NumericLessThan = { "s3:TlsVersion" = var.minimum_tls_version }
      }
    }],
    var.policy_statements,
  )
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:Single-region platform: a replica needs a second region and KMS key. What the callers keep is recoverable without one (model artifacts CI republishes from source; small, versioned Terraform state), and versioning covers overwrites and deletes.
  #checkov:skip=CKV2_AWS_62:Nothing consumes object events of these buckets: model rollout is driven by the deployment pipeline, state changes are audited through CloudTrail and the object versions.
  bucket        = var.bucket
  force_destroy = var.force_destroy

  tags = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = var.lifecycle_rule_id
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "this" {
  count = var.access_log_bucket != null ? 1 : 0

  bucket        = aws_s3_bucket.this.id
  target_bucket = var.access_log_bucket
  target_prefix = "s3-access/${var.bucket}/"
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.policy_statements
  })

  # Policy updates race with the public access block otherwise.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
