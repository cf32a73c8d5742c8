output "state_bucket_name" {
  description = "Name of the state bucket (`bucket` in each environment's backend.hcl)."
  value       = module.state_bucket.bucket
}

output "state_bucket_arn" {
  description = "ARN of the state bucket."
  value       = module.state_bucket.arn
}

output "state_kms_key_arn" {
  description = "KMS key encrypting the state (`kms_key_id` in backend.hcl)."
  value       = aws_kms_key.state.arn
}

output "lock_table_name" {
  description = "Name of the DynamoDB lock table, null when S3 native locking is used."
  value       = try(aws_dynamodb_table.lock[0].name, null)
}

output "backend_config" {
  description = "backend.hcl content for an environment; replace <env> with dev, staging or prod."
  value = join("\n", compact([
    "bucket       = \"${module.state_bucket.bucket}\"",
    "key          = \"infergate/<env>/terraform.tfstate\"",
    "region       = \"${module.state_bucket.region}\"",
    "encrypt      = true",
    "kms_key_id   = \"${aws_kms_key.state.arn}\"",
    "use_lockfile = true",
    var.create_lock_table ? "dynamodb_table = \"${aws_dynamodb_table.lock[0].name}\"" : "",
  ]))
}
