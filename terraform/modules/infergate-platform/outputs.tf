################################################################################
# General / network
################################################################################

output "region" {
  description = "AWS region the platform runs in."
  value       = local.region
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (nodes, control plane ENIs, internal load balancers)."
  value       = aws_subnet.private[*].id
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (internet-facing load balancers, NAT gateways)."
  value       = aws_subnet.public[*].id
}

output "nat_public_ips" {
  description = "Public egress IPs of the NAT gateways (for allow-lists of external services)."
  value       = aws_eip.nat[*].public_ip
}

################################################################################
# Cluster
################################################################################

output "cluster_name" {
  description = "Name of the EKS cluster (for `aws eks update-kubeconfig --name`)."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "Endpoint of the Kubernetes API server."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_version" {
  description = "Kubernetes version of the control plane."
  value       = aws_eks_cluster.this.version
}

output "cluster_certificate_authority_data" {
  description = "Base64 encoded certificate data of the cluster CA."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_security_group_id" {
  description = "Cluster security group created by EKS (attached to the control plane ENIs and the managed nodes)."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "cluster_oidc_issuer_url" {
  description = "URL of the cluster's OpenID Connect issuer."
  value       = local.oidc_issuer_url
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider (IRSA); null when enable_irsa is false."
  value       = local.oidc_provider_arn
}

output "cluster_kms_key_arn" {
  description = "ARN of the KMS key that envelope-encrypts Kubernetes secrets."
  value       = local.cluster_kms_key_arn
}

output "node_iam_role_arn" {
  description = "ARN of the IAM role of the managed nodes."
  value       = aws_iam_role.node.arn
}

output "eks_managed_node_groups" {
  description = "Managed node groups by key: name, capacity type, instance types and Auto Scaling group names."
  value = {
    for k, g in aws_eks_node_group.this : k => {
      node_group_name     = g.node_group_name
      capacity_type       = g.capacity_type
      instance_types      = g.instance_types
      autoscaling_groups  = try(g.resources[0].autoscaling_groups[*].name, [])
      launch_template_id  = aws_launch_template.node[k].id
      launch_template_ver = aws_launch_template.node[k].latest_version
    }
  }
}

output "ebs_csi_driver_role_arn" {
  description = "ARN of the IRSA role of the EBS CSI driver (null when not created)."
  value       = try(aws_iam_role.ebs_csi[0].arn, null)
}

################################################################################
# What the Helm chart and CI consume
################################################################################

output "service_account_namespace" {
  description = "Namespace of the inference service's service account trusted by service_irsa_role_arn."
  value       = var.service_account_namespace
}

output "service_account_name" {
  description = "Name of the inference service's service account trusted by service_irsa_role_arn."
  value       = var.service_account_name
}

output "service_irsa_role_arn" {
  description = "IAM role for the inference service account; goes into serviceAccount.annotations.\"eks.amazonaws.com/role-arn\" of the Helm chart."
  value       = try(aws_iam_role.service[0].arn, null)
}

output "model_bucket_name" {
  description = "Name of the model bucket."
  value       = aws_s3_bucket.model.bucket
}

output "model_bucket_arn" {
  description = "ARN of the model bucket."
  value       = aws_s3_bucket.model.arn
}

output "model_prefix" {
  description = "Key prefix (no trailing slash) the service reads models from."
  value       = var.model_prefix
}

output "model_repository_uri" {
  description = "Value for the service's INFERGATE_MODEL_REPOSITORY environment variable."
  value       = "s3://${aws_s3_bucket.model.bucket}/${var.model_prefix}"
}

output "model_kms_key_arn" {
  description = "ARN of the KMS key encrypting the model bucket (CI uploads models with it)."
  value       = aws_kms_key.model.arn
}

output "ecr_repository_url" {
  description = "URL of the ECR repository for the service image (image.repository in the Helm chart)."
  value       = aws_ecr_repository.this.repository_url
}

output "ecr_repository_arn" {
  description = "ARN of the ECR repository (for CI push permissions)."
  value       = aws_ecr_repository.this.arn
}

output "helm_values" {
  description = "Values for the infergate Helm chart (helm/infergate): `terraform output -json helm_values > platform-values.json`, then `helm upgrade --install ... -f platform-values.json`."
  value = {
    image = { repository = aws_ecr_repository.this.repository_url }
    config = {
      modelRepository = "s3://${aws_s3_bucket.model.bucket}/${var.model_prefix}"
      awsRegion       = local.region
    }
    serviceAccount = {
      name = var.service_account_name
      # The chart renders irsaRoleArn into the eks.amazonaws.com/role-arn annotation;
      # the annotation is set as well for charts that only take annotations.
      irsaRoleArn = try(aws_iam_role.service[0].arn, null)
      annotations = { "eks.amazonaws.com/role-arn" = try(aws_iam_role.service[0].arn, null) }
    }
  }
}
