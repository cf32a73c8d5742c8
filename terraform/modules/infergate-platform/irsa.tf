################################################################################
# IRSA: OIDC provider of the cluster, the inference service role (read-only on
# the model prefix) and the EBS CSI driver role.
################################################################################

locals {
  oidc_issuer_url = aws_eks_cluster.this.identity[0].oidc[0].issuer
  # Condition keys are "<issuer host/path>:sub" / ":aud".
  oidc_issuer_host  = replace(local.oidc_issuer_url, "https://", "")
  oidc_provider_arn = var.enable_irsa ? aws_iam_openid_connect_provider.this[0].arn : null

  service_account_subject = "system:serviceaccount:${var.service_account_namespace}:${var.service_account_name}"

  create_ebs_csi_role = var.enable_irsa && anytrue([for k, v in var.addons : coalesce(v.name, k) == "aws-ebs-csi-driver" && v.service_account_role_arn == null])
}

resource "aws_iam_openid_connect_provider" "this" {
  count = var.enable_irsa ? 1 : 0

  url             = local.oidc_issuer_url
  client_id_list  = distinct(concat(["sts.amazonaws.com"], var.openid_connect_audiences))
  thumbprint_list = var.custom_oidc_thumbprints

  tags = merge(local.tags, { Name = "${var.name}-irsa" })
}

################################################################################
# Inference service role (consumed by the Helm chart as the service account's
# eks.amazonaws.com/role-arn annotation)
################################################################################

locals {
  model_object_prefix = "${var.model_prefix}/"

  service_assume_role_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "InferenceServiceAccountOnly"
      Effect    = "Allow"
      Principal = { Federated = local.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.oidc_issuer_host}:sub" = local.service_account_subject
          "${local.oidc_issuer_host}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  }

  # Least privilege: list only below "<prefix>/", read only objects below it,
  # decrypt only with the model key and only through S3.
  service_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ListModelPrefix"
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = module.model_bucket.arn
        Condition = {
          StringLike = {
            "s3:prefix" = [local.model_object_prefix, "${local.model_object_prefix}*"]
          }
        }
      },
      {
        Sid      = "ReadModelObjects"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "${module.model_bucket.arn}/${local.model_object_prefix}*"
      },
      {
        Sid      = "DecryptModelObjects"
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = aws_kms_key.model.arn
        Condition = {
          StringEquals = {
            "kms:ViaService" = "s3.${local.region}.${local.dns_suffix}"
          }
        }
      },
    ]
  }
}

resource "aws_iam_role" "service" {
  count = var.enable_irsa ? 1 : 0

  name                 = "${var.name}-${var.service_account_name}-irsa"
  description          = "IRSA role of ${var.service_account_namespace}/${var.service_account_name}: read-only access to s3://${module.model_bucket.bucket}/${local.model_object_prefix}"
  assume_role_policy   = jsonencode(local.service_assume_role_policy)
  max_session_duration = 3600

  tags = local.tags
}

resource "aws_iam_policy" "service" {
  count = var.enable_irsa ? 1 : 0

  name        = "${var.name}-${var.service_account_name}-model-read"
  description = "Read-only access to the models below s3://${module.model_bucket.bucket}/${local.model_object_prefix}"
  policy      = jsonencode(local.service_policy)

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "service" {
  count = var.enable_irsa ? 1 : 0

  role       = aws_iam_role.service[0].name
  policy_arn = aws_iam_policy.service[0].arn
}

################################################################################
# EBS CSI driver role (kube-system/ebs-csi-controller-sa)
################################################################################

resource "aws_iam_role" "ebs_csi" {
  count = local.create_ebs_csi_role ? 1 : 0

  name = "${var.name}-ebs-csi-irsa"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.oidc_issuer_host}:sub" = "system:serviceaccount:kube-system:ebs-csi-controller-sa"
          "${local.oidc_issuer_host}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "ebs_csi" {
  count = local.create_ebs_csi_role ? 1 : 0

  role       = aws_iam_role.ebs_csi[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
}
