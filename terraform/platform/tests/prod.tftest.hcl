# The platform root with environments/prod.tfvars, against the mocked AWS provider:
#   terraform test -var-file=../environments/prod.tfvars -filter=tests/prod.tftest.hcl
# (terraform/test/platform.test.ts runs it).

mock_provider "aws" {
  source = "../modules/infergate-platform/tests/mocks"
}

run "prod" {
  command = apply

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

  variables {
    azs              = ["eu-central-1a", "eu-central-1b"]
    ingress_hostname = "infergate.ml.internal.example.com"
  }

  expect_failures = [var.azs]
}

run "prod_rejects_bad_ingress_hostname" {
  command = plan

  variables {
    ingress_hostname = "*.example.com"
  }

  expect_failures = [var.ingress_hostname]
}

run "prod_requires_ingress_hostname" {
  command = plan

  expect_failures = [var.ingress_hostname]
}
