################################################################################
# EKS control plane
################################################################################

resource "aws_iam_role" "cluster" {
  name = "${var.name}-cluster"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  for_each = {
    AmazonEKSClusterPolicy = "arn:${local.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
  }

  role       = aws_iam_role.cluster.name
  policy_arn = each.value
}

# The control plane uses the secrets key for envelope encryption; scoped to that one key.
resource "aws_iam_role_policy" "cluster_encryption" {
  name = "secrets-envelope-encryption"
  role = aws_iam_role.cluster.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]
      Resource = local.cluster_kms_key_arn
    }]
  })
}

# Created before the cluster so EKS does not create it without retention/encryption.
resource "aws_cloudwatch_log_group" "cluster" {
  #checkov:skip=CKV_AWS_338:Retention is a per-environment input (validated to CloudWatch's allowed values); prod passes 365 days, dev/staging keep non-production logs shorter on purpose to limit cost.
  name              = "/aws/eks/${var.name}/cluster"
  retention_in_days = var.cloudwatch_log_group_retention_in_days
  kms_key_id        = aws_kms_key.logs.arn

  tags = local.tags
}

resource "aws_eks_cluster" "this" {
  name                      = var.name
  role_arn                  = aws_iam_role.cluster.arn
  version                   = var.kubernetes_version
  enabled_cluster_log_types = var.enabled_log_types

  access_config {
    authentication_mode                         = var.authentication_mode
    bootstrap_cluster_creator_admin_permissions = var.enable_cluster_creator_admin_permissions
  }

  vpc_config {
    # Control plane ENIs only in the private subnets.
    subnet_ids              = aws_subnet.private[*].id
    endpoint_private_access = true
    endpoint_public_access  = var.endpoint_public_access
    # Only meaningful with the public endpoint on; AWS reports its own default otherwise.
    public_access_cidrs = var.endpoint_public_access ? var.endpoint_public_access_cidrs : null
  }

  encryption_config {
    provider {
      key_arn = local.cluster_kms_key_arn
    }
    # Always on: the variable's validation only admits ["secrets"].
    resources = ["secrets"]
  }

  tags = local.tags

  depends_on = [
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy.cluster_encryption,
    aws_cloudwatch_log_group.cluster,
  ]
}

################################################################################
# Access entries (cluster authentication through IAM, no aws-auth ConfigMap)
################################################################################

locals {
  # The Argo CD role (argocd_role_arn) gets cluster-admin, cluster-wide: the Applications sync with
  # CreateNamespace=true, and a Namespace is cluster-scoped, which no namespace-scoped access policy
  # can create. What Argo CD may deploy is narrowed on its side (the AppProject's resource allow-lists).
  access_entries = merge(var.access_entries, var.argocd_role_arn == null ? {} : {
    argocd = {
      principal_arn     = var.argocd_role_arn
      type              = "STANDARD"
      kubernetes_groups = null
      user_name         = null
      policy_associations = {
        cluster-admin = {
          policy_arn   = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
          access_scope = { type = "cluster", namespaces = null }
        }
      }
    }
  })

  access_policy_associations = merge([
    for entry_key, entry in local.access_entries : {
      for assoc_key, assoc in entry.policy_associations :
      "${entry_key}_${assoc_key}" => merge(assoc, { entry_key = entry_key, principal_arn = entry.principal_arn })
    }
  ]...)
}

resource "aws_eks_access_entry" "this" {
  for_each = local.access_entries

  cluster_name      = aws_eks_cluster.this.name
  principal_arn     = each.value.principal_arn
  type              = each.value.type
  kubernetes_groups = each.value.kubernetes_groups
  user_name         = each.value.user_name

  tags = local.tags
}

resource "aws_eks_access_policy_association" "this" {
  for_each = local.access_policy_associations

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value.principal_arn
  policy_arn    = each.value.policy_arn

  access_scope {
    type       = each.value.access_scope.type
    namespaces = each.value.access_scope.namespaces
  }

  depends_on = [aws_eks_access_entry.this]
}

################################################################################
# Managed add-ons (vpc-cni, kube-proxy before the nodes; coredns, ebs-csi after)
################################################################################

locals {
  addon_versions_to_resolve = { for k, v in var.addons : k => v if v.addon_version == null }
}

data "aws_eks_addon_version" "this" {
  for_each = local.addon_versions_to_resolve

  addon_name         = coalesce(each.value.name, each.key)
  kubernetes_version = var.kubernetes_version
  most_recent        = each.value.most_recent
}

locals {
  addons_resolved = {
    for k, v in var.addons : k => merge(v, {
      name          = coalesce(v.name, k)
      addon_version = v.addon_version != null ? v.addon_version : data.aws_eks_addon_version.this[k].version
      service_account_role_arn = (
        v.service_account_role_arn != null ? v.service_account_role_arn :
        coalesce(v.name, k) == "aws-ebs-csi-driver" && local.create_ebs_csi_role ? aws_iam_role.ebs_csi[0].arn : null
      )
    })
  }
}

resource "aws_eks_addon" "before_compute" {
  for_each = { for k, v in local.addons_resolved : k => v if v.before_compute }

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.value.name
  addon_version               = each.value.addon_version
  configuration_values        = each.value.configuration_values
  preserve                    = each.value.preserve
  resolve_conflicts_on_create = each.value.resolve_conflicts_on_create
  resolve_conflicts_on_update = each.value.resolve_conflicts_on_update
  service_account_role_arn    = each.value.service_account_role_arn

  tags = local.tags
}

resource "aws_eks_addon" "this" {
  for_each = { for k, v in local.addons_resolved : k => v if !v.before_compute }

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.value.name
  addon_version               = each.value.addon_version
  configuration_values        = each.value.configuration_values
  preserve                    = each.value.preserve
  resolve_conflicts_on_create = each.value.resolve_conflicts_on_create
  resolve_conflicts_on_update = each.value.resolve_conflicts_on_update
  service_account_role_arn    = each.value.service_account_role_arn

  tags = local.tags

  # coredns and the EBS CSI controller need nodes to schedule on.
  depends_on = [aws_eks_node_group.this]
}
