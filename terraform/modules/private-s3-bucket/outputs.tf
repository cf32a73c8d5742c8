# Read back from the resources (not echoed from the inputs), so a caller's tests can hold
# the bucket's settings themselves.

output "bucket" {
  description = "Name of the bucket."
  value       = aws_s3_bucket.this.bucket
}

output "arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "region" {
  description = "Region of the bucket."
  value       = aws_s3_bucket.this.region
}

output "force_destroy" {
  description = "Whether `terraform destroy` may delete the bucket with its objects."
  value       = aws_s3_bucket.this.force_destroy
}

output "tags" {
  description = "Tags set on the bucket."
  value       = aws_s3_bucket.this.tags
}

output "public_access_block" {
  description = "The bucket's public access block settings."
  value = {
    block_public_acls       = aws_s3_bucket_public_access_block.this.block_public_acls
    block_public_policy     = aws_s3_bucket_public_access_block.this.block_public_policy
    ignore_public_acls      = aws_s3_bucket_public_access_block.this.ignore_public_acls
    restrict_public_buckets = aws_s3_bucket_public_access_block.this.restrict_public_buckets
  }
}

output "object_ownership" {
  description = "Object ownership setting (BucketOwnerEnforced: ACLs disabled)."
  value       = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership
}

output "versioning_status" {
  description = "Versioning status of the bucket."
  value       = one(aws_s3_bucket_versioning.this.versioning_configuration).status
}

output "server_side_encryption" {
  description = "Default encryption: sse_algorithm, kms_master_key_id and bucket_key_enabled."
  value = {
    sse_algorithm      = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm
    kms_master_key_id  = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).kms_master_key_id
    bucket_key_enabled = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled
  }
}

output "lifecycle_rules" {
  description = "The bucket's lifecycle rules (id, status, noncurrent_version_expiration, abort_incomplete_multipart_upload, ...)."
  value       = aws_s3_bucket_lifecycle_configuration.this.rule
}

output "policy" {
  description = "The bucket policy (JSON): the module's Deny statements followed by the caller's."
  value       = aws_s3_bucket_policy.this.policy
}

output "access_log_target" {
  description = "Where the server access logs go ({ bucket, prefix }), null without access logging."
  value       = try({ bucket = aws_s3_bucket_logging.this[0].target_bucket, prefix = aws_s3_bucket_logging.this[0].target_prefix }, null)
}
