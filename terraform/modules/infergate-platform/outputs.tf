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
  value       = module.model_bucket.bucket
}

output "model_bucket_arn" {
  description = "ARN of the model bucket."
  value       = module.model_bucket.arn
}

output "model_prefix" {
  description = "Key prefix (no trailing slash) the service reads models from."
  value       = var.model_prefix
}

output "model_repository_uri" {
  description = "Value for the service's INFERGATE_MODEL_REPOSITORY environment variable."
  value       = "s3://${module.model_bucket.bucket}/${var.model_prefix}"
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
  description = "Values for the infergate Helm chart (helm/infergate), the same the Argo CD cluster Secret carries: `terraform output -json helm_values > platform-values.json`, then `helm upgrade --install ... -f values-<env>.yaml -f platform-values.json`."
  # ingress.hostname only when set: prod's values turn TLS on, and the chart needs the host name for it.
  value = merge(var.ingress_hostname == null ? {} : { ingress = { hostname = var.ingress_hostname } }, {
    image = { repository = aws_ecr_repository.this.repository_url }
    config = {
      modelRepository = "s3://${module.model_bucket.bucket}/${var.model_prefix}"
      awsRegion       = local.region
    }
    serviceAccount = {
      name = var.service_account_name
      # The chart renders irsaRoleArn into the eks.amazonaws.com/role-arn annotation;
      # the annotation is set as well for charts that only take annotations.
      irsaRoleArn = try(aws_iam_role.service[0].arn, null)
      annotations = { "eks.amazonaws.com/role-arn" = try(aws_iam_role.service[0].arn, null) }
    }
  })
}

output "argocd_cluster_secret" {
  description = <<-EOT
    Argo CD cluster Secret registering this cluster (the "GitOps bridge"): labels select the environment, annotations carry
    what the Helm chart needs (image repository, model repository, region, service account, IRSA role, prod's ingress
    hostname), read by the ApplicationSet in argocd/. Apply it to the cluster that runs Argo CD:
    `terraform output -json argocd_cluster_secret | kubectl --context <argocd cluster> apply -f -`.
    It holds no credential: the CA certificate is public and Argo CD authenticates with IAM (awsAuthConfig), so it is
    not marked sensitive.
  EOT
  value = {
    apiVersion = "v1"
    kind       = "Secret"
    type       = "Opaque"
    metadata = {
      name      = "cluster-${aws_eks_cluster.this.name}"
      namespace = var.argocd_namespace
      labels = {
        "argocd.argoproj.io/secret-type" = "cluster"
        "app.kubernetes.io/part-of"      = "infergate"
        "infergate.io/environment"       = var.environment
      }
      # Same sources as the outputs of the same meaning (and helm_values). Keys have no prefix and use
      # underscores so the ApplicationSet's Go templates read them as fields
      # (.metadata.annotations.infergate_image_repository); argocd/tests/fixtures/clusters/*.json fix them.
      # Null values are left out (ingress_hostname unset, or no IRSA role with enable_irsa = false):
      # annotation values are strings. The ApplicationSet treats these two as optional (the chart then
      # sets no host name / no role-arn annotation) and generates no Application without any other.
      annotations = { for k, v in {
        "infergate_aws_region"           = local.region
        "infergate_image_repository"     = aws_ecr_repository.this.repository_url
        "infergate_model_repository"     = "s3://${module.model_bucket.bucket}/${var.model_prefix}"
        "infergate_service_account_name" = var.service_account_name
        "infergate_namespace"            = var.service_account_namespace
        "infergate_irsa_role_arn"        = try(aws_iam_role.service[0].arn, null)
        "infergate_ingress_hostname"     = var.ingress_hostname
      } : k => v if v != null }
    }
    # stringData: the API server base64-encodes it into data on write.
    stringData = {
      name   = aws_eks_cluster.this.name
      server = aws_eks_cluster.this.endpoint
      config = jsonencode({
        # Without roleARN Argo CD calls EKS with its own identity.
        awsAuthConfig = merge(
          { clusterName = aws_eks_cluster.this.name },
          var.argocd_role_arn == null ? {} : { roleARN = var.argocd_role_arn },
        )
        tlsClientConfig = {
          insecure = false
          caData   = aws_eks_cluster.this.certificate_authority[0].data
        }
      })
    }
  }
}
