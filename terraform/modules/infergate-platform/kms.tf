################################################################################
# Customer managed KMS keys (rotation always on)
#   eks   - envelope encryption of Kubernetes secrets
#   model - SSE-KMS of the model bucket (the service role may only Decrypt with it)
#   logs  - CloudWatch log groups (control plane logs, VPC flow logs)
################################################################################

locals {
  # Key policies keep the account root statement so IAM policies (and nothing else) grant key use.
  kms_root_statement = {
    Sid       = "EnableIAMUserPermissions"
    Effect    = "Allow"
    Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
    Action    = "kms:*"
    Resource  = "*"
  }
}

locals {
  # A caller-supplied key (encryption_config.provider_key_arn) takes precedence over creating one.
  create_eks_kms_key = var.create_kms_key && var.encryption_config.provider_key_arn == null
}

resource "aws_kms_key" "eks" {
  count = local.create_eks_kms_key ? 1 : 0

  description             = "${var.name} EKS secrets envelope encryption"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.kms_root_statement]
  })

  tags = local.tags
}

resource "aws_kms_alias" "eks" {
  count = local.create_eks_kms_key ? 1 : 0

  name          = "alias/${var.name}/eks"
  target_key_id = aws_kms_key.eks[0].key_id
}

resource "aws_kms_key" "model" {
  description             = "${var.name} model bucket encryption"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.kms_root_statement]
  })

  tags = local.tags
}

resource "aws_kms_alias" "model" {
  name          = "alias/${var.name}/model"
  target_key_id = aws_kms_key.model.key_id
}

resource "aws_kms_key" "logs" {
  description             = "${var.name} CloudWatch log groups encryption"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      local.kms_root_statement,
      {
        Sid       = "AllowCloudWatchLogsOfThisAccount"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.${local.dns_suffix}" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"
          }
        }
      },
    ]
  })

  tags = local.tags
}

resource "aws_kms_alias" "logs" {
  name          = "alias/${var.name}/logs"
  target_key_id = aws_kms_key.logs.key_id
}

locals {
  cluster_kms_key_arn = coalesce(var.encryption_config.provider_key_arn, try(aws_kms_key.eks[0].arn, null))
}
