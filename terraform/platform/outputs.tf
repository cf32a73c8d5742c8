output "region" {
  description = "AWS region."
  value       = module.platform.region
}

output "vpc_id" {
  description = "VPC ID."
  value       = module.platform.vpc_id
}

output "private_subnet_ids" {
  description = "Private subnet IDs (nodes)."
  value       = module.platform.private_subnet_ids
}

output "public_subnet_ids" {
  description = "Public subnet IDs (internet-facing load balancers)."
  value       = module.platform.public_subnet_ids
}

output "cluster_name" {
  description = "EKS cluster name."
  value       = module.platform.cluster_name
}

output "cluster_endpoint" {
  description = "Kubernetes API server endpoint."
  value       = module.platform.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 encoded cluster CA certificate."
  value       = module.platform.cluster_certificate_authority_data
}

output "cluster_oidc_issuer_url" {
  description = "OIDC issuer URL of the cluster."
  value       = module.platform.cluster_oidc_issuer_url
}

output "oidc_provider_arn" {
  description = "IAM OIDC provider ARN (IRSA)."
  value       = module.platform.oidc_provider_arn
}

output "service_irsa_role_arn" {
  description = "IRSA role of the inference service account (Helm: serviceAccount.annotations.\"eks.amazonaws.com/role-arn\")."
  value       = module.platform.service_irsa_role_arn
}

output "service_account_namespace" {
  description = "Namespace of the inference service account."
  value       = module.platform.service_account_namespace
}

output "service_account_name" {
  description = "Name of the inference service account."
  value       = module.platform.service_account_name
}

output "model_bucket_name" {
  description = "Model bucket name."
  value       = module.platform.model_bucket_name
}

output "model_bucket_arn" {
  description = "Model bucket ARN."
  value       = module.platform.model_bucket_arn
}

output "model_prefix" {
  description = "Model key prefix."
  value       = module.platform.model_prefix
}

output "model_repository_uri" {
  description = "INFERGATE_MODEL_REPOSITORY value (s3://<bucket>/<prefix>)."
  value       = module.platform.model_repository_uri
}

output "model_kms_key_arn" {
  description = "KMS key of the model bucket."
  value       = module.platform.model_kms_key_arn
}

output "ecr_repository_url" {
  description = "ECR repository URL of the service image."
  value       = module.platform.ecr_repository_url
}

output "eks_managed_node_groups" {
  description = "Managed node groups."
  value       = module.platform.eks_managed_node_groups
}

output "helm_values" {
  description = "Helm values fragment for the infergate chart (terraform output -json helm_values)."
  value       = module.platform.helm_values
}

output "nat_public_ips" {
  description = "Public egress IPs of the NAT gateways."
  value       = module.platform.nat_public_ips
}

output "argocd_cluster_secret" {
  description = "Argo CD cluster Secret of this environment (no credential): terraform output -json argocd_cluster_secret | kubectl --context <argocd cluster> apply -f -"
  value       = module.platform.argocd_cluster_secret
}
