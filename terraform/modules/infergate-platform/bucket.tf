################################################################################
# Model bucket: versioned, SSE-KMS with the model key, no public access,
# TLS (>= 1.2) only, noncurrent versions expire (modules/private-s3-bucket).
################################################################################

locals {
  model_bucket_name = coalesce(var.model_bucket_name, "${var.name}-models-${local.account_id}")
}

module "model_bucket" {
  source = "../private-s3-bucket"

  bucket                             = local.model_bucket_name
  kms_key_arn                        = aws_kms_key.model.arn
  force_destroy                      = var.model_bucket_force_destroy
  noncurrent_version_expiration_days = var.model_bucket_noncurrent_version_expiration_days
  minimum_tls_version                = "1.2"
  access_log_bucket                  = var.model_bucket_access_log_bucket

  tags = local.tags
}

# The model bucket was written out here before it moved into the module: these
# move the existing bucket and its settings in state (never a replacement).
moved {
  from = aws_s3_bucket.model
  to   = module.model_bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_ownership_controls.model
  to   = module.model_bucket.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.model
  to   = module.model_bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.model
  to   = module.model_bucket.aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.model
  to   = module.model_bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.model
  to   = module.model_bucket.aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_policy.model
  to   = module.model_bucket.aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket_logging.model
  to   = module.model_bucket.aws_s3_bucket_logging.this
}
