################################################################################
# Model bucket: versioned, SSE-KMS with the model key, no public access,
# TLS-only, noncurrent versions expire.
################################################################################

locals {
  model_bucket_name = coalesce(var.model_bucket_name, "${var.name}-models-${local.account_id}")
}

resource "aws_s3_bucket" "model" {
  #checkov:skip=CKV_AWS_144:Models are build artifacts that CI can republish from their source; versioning covers accidental overwrites, and a replica in a second region is outside this single-region platform (it would double storage cost).
  #checkov:skip=CKV2_AWS_62:Nothing consumes object events: model rollout is driven by the deployment pipeline (Helm values), not by S3 notifications.
  bucket        = local.model_bucket_name
  force_destroy = var.model_bucket_force_destroy

  tags = local.tags
}

resource "aws_s3_bucket_ownership_controls" "model" {
  bucket = aws_s3_bucket.model.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "model" {
  bucket = aws_s3_bucket.model.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "model" {
  bucket = aws_s3_bucket.model.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "model" {
  bucket = aws_s3_bucket.model.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.model.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "model" {
  bucket = aws_s3_bucket.model.id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.model_bucket_noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.model]
}

resource "aws_s3_bucket_logging" "model" {
  count = var.model_bucket_access_log_bucket != null ? 1 : 0

  bucket        = aws_s3_bucket.model.id
  target_bucket = var.model_bucket_access_log_bucket
  target_prefix = "s3-access/${local.model_bucket_name}/"
}

locals {
  model_bucket_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.model.arn, "${aws_s3_bucket.model.arn}/*"]
        Condition = {
          Bool = { "aws:SecureTransport" = "false" }
        }
      },
      {
        Sid       = "DenyOutdatedTLS"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.model.arn, "${aws_s3_bucket.model.arn}/*"]
        Condition = {
          NumericLessThan = { "s3:TlsVersion" = "1.2" }
        }
      },
    ]
  }
}

resource "aws_s3_bucket_policy" "model" {
  bucket = aws_s3_bucket.model.id
  policy = jsonencode(local.model_bucket_policy)

  # Policy updates race with the public access block otherwise.
  depends_on = [aws_s3_bucket_public_access_block.model]
}
