# Plans/applies each environment root against a mocked AWS provider, so a
# broken root fails here before anyone runs it against AWS.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
      arn        = "arn:aws:iam::123456789012:user/test"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition  = "aws"
      dns_suffix = "amazonaws.com"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "eu-central-1"
    }
  }

  mock_data "aws_eks_addon_version" {
    defaults = {
      version = "v1.0.0-eksbuild.1"
    }
  }

  mock_resource "aws_eks_cluster" {
    defaults = {
      arn                   = "arn:aws:eks:eu-central-1:123456789012:cluster/infergate-test"
      endpoint              = "https://EXAMPLE.gr7.eu-central-1.eks.amazonaws.com"
      identity              = [{ oidc = [{ issuer = "https://oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE0123456789" }] }]
      certificate_authority = [{ data = "LS0tLS1CRUdJTi1DRVJUSUZJQ0FURS0tLS0t" }]
    }
  }

  mock_resource "aws_eks_node_group" {
    defaults = {
      resources = [{ autoscaling_groups = [{ name = "eks-mock-asg" }], remote_access_security_group_id = "" }]
    }
  }

  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::infergate-test-models-123456789012"
    }
  }

  mock_resource "aws_kms_key" {
    defaults = {
      arn = "arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    }
  }

  mock_resource "aws_iam_openid_connect_provider" {
    defaults = {
      arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE0123456789"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/mock"
    }
  }

  mock_resource "aws_iam_policy" {
    defaults = {
      arn = "arn:aws:iam::123456789012:policy/mock"
    }
  }

  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-central-1:123456789012:log-group:mock"
    }
  }

  mock_resource "aws_ecr_repository" {
    defaults = {
      repository_url = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/infergate-test"
    }
  }

  mock_resource "aws_launch_template" {
    defaults = {
      id             = "lt-0123456789abcdef0"
      latest_version = 1
    }
  }
}

run "dev" {
  command = apply

  module {
    source = "../envs/dev"
  }

  variables {
    admin_role_arns = ["arn:aws:iam::123456789012:role/platform-admin"]
  }

  assert {
    condition     = length(output.private_subnet_ids) == 2 && length(output.public_subnet_ids) == 2
    error_message = "dev spans two AZs"
  }

  assert {
    condition     = length(output.nat_public_ips) == 1
    error_message = "dev uses a single NAT gateway"
  }

  assert {
    condition     = output.eks_managed_node_groups["inference-spot"].capacity_type == "SPOT" && length(output.eks_managed_node_groups["inference-spot"].instance_types) >= 2
    error_message = "dev has a spot inference group with several instance types"
  }

  assert {
    condition     = !contains(keys(output.eks_managed_node_groups), "gpu")
    error_message = "the GPU group is opt-in"
  }

  assert {
    condition     = output.helm_values.config.modelRepository == "s3://infergate-dev-models-123456789012/models" && output.helm_values.config.awsRegion == "eu-central-1" && output.helm_values.serviceAccount.name == "infergate" && !contains(keys(output.helm_values), "ingress")
    error_message = "helm values point at the dev model prefix and service account"
  }

  # Every annotation's value is asserted in platform.tftest.hcl; here: the root passes the module's through.
  assert {
    condition     = !contains(keys(output.argocd_cluster_secret.metadata.annotations), "infergate_ingress_hostname") && output.argocd_cluster_secret.metadata.annotations["infergate_model_repository"] == output.model_repository_uri && length(output.argocd_cluster_secret.metadata.annotations) == 6
    error_message = "dev's cluster secret has the six annotations (its own model repository), no ingress hostname"
  }

  assert {
    condition     = output.argocd_cluster_secret.metadata.name == "cluster-infergate-dev" && output.argocd_cluster_secret.metadata.labels["infergate.io/environment"] == "dev" && output.argocd_cluster_secret.metadata.labels["argocd.argoproj.io/secret-type"] == "cluster"
    error_message = "dev's cluster secret is cluster-infergate-dev, labelled environment dev"
  }

  assert {
    condition     = output.argocd_cluster_secret.stringData.name == output.cluster_name && output.argocd_cluster_secret.stringData.server == output.cluster_endpoint && !can(jsondecode(output.argocd_cluster_secret.stringData.config).awsAuthConfig.roleARN)
    error_message = "dev's cluster secret points at the dev cluster, without roleARN by default"
  }
}

run "dev_with_argocd_role" {
  command = apply

  module {
    source = "../envs/dev"
  }

  variables {
    argocd_role_arn = "arn:aws:iam::123456789012:role/argocd-manager"
  }

  assert {
    condition     = jsondecode(output.argocd_cluster_secret.stringData.config).awsAuthConfig == { clusterName = output.cluster_name, roleARN = "arn:aws:iam::123456789012:role/argocd-manager" }
    error_message = "argocd_role_arn reaches roleARN of the cluster secret (its access entry is asserted in platform.tftest.hcl)"
  }
}

run "dev_with_gpu_and_public_endpoint" {
  command = apply

  module {
    source = "../envs/dev"
  }

  variables {
    enable_gpu_node_group        = true
    endpoint_public_access       = true
    endpoint_public_access_cidrs = ["198.51.100.0/24"]
    scheduled_scale_down         = { enabled = false }
  }

  assert {
    condition     = contains(keys(output.eks_managed_node_groups), "gpu")
    error_message = "enable_gpu_node_group adds the GPU group"
  }
}

run "staging" {
  command = apply

  module {
    source = "../envs/staging"
  }

  assert {
    condition     = length(output.private_subnet_ids) == 3 && length(output.nat_public_ips) == 1
    error_message = "staging spans three AZs with one NAT gateway"
  }

  assert {
    condition     = output.argocd_cluster_secret.metadata.labels["infergate.io/environment"] == "staging" && !contains(keys(output.argocd_cluster_secret.metadata.annotations), "infergate_ingress_hostname")
    error_message = "staging's cluster secret is labelled staging, without an ingress hostname"
  }
}

run "prod" {
  command = apply

  module {
    source = "../envs/prod"
  }

  variables {
    ingress_hostname = "infergate.ml.internal.example.com"
  }

  assert {
    condition     = length(output.private_subnet_ids) == 3 && length(output.nat_public_ips) == 3
    error_message = "prod spans three AZs with one NAT gateway per AZ"
  }

  assert {
    condition     = output.model_bucket_name == "infergate-prod-models-123456789012"
    error_message = "prod model bucket name"
  }

  assert {
    condition     = output.argocd_cluster_secret.metadata.annotations["infergate_ingress_hostname"] == "infergate.ml.internal.example.com" && output.argocd_cluster_secret.metadata.labels["infergate.io/environment"] == "prod"
    error_message = "prod's cluster secret carries the ingress hostname and the prod label"
  }

  assert {
    condition     = output.helm_values.ingress.hostname == "infergate.ml.internal.example.com"
    error_message = "prod's helm_values carry the ingress hostname (values-prod.yaml turns TLS on, which needs it)"
  }
}

run "prod_rejects_two_azs" {
  command = plan

  module {
    source = "../envs/prod"
  }

  variables {
    azs              = ["eu-central-1a", "eu-central-1b"]
    ingress_hostname = "infergate.ml.internal.example.com"
  }

  expect_failures = [var.azs]
}

run "prod_rejects_bad_ingress_hostname" {
  command = plan

  module {
    source = "../envs/prod"
  }

  variables {
    ingress_hostname = "*.example.com"
  }

  expect_failures = [var.ingress_hostname]
}
