# The platform root with environments/dev.tfvars, against the mocked AWS provider:
#   terraform test -var-file=../environments/dev.tfvars -filter=tests/dev.tftest.hcl
# (terraform/test/platform.test.ts runs it), so a broken root or tfvars fails here
# before anyone runs it against AWS. Run blocks add variables on top of the tfvars.

mock_provider "aws" {
  source = "../modules/infergate-platform/tests/mocks"
}

run "dev" {
  command = apply

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
