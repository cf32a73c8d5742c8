# The platform root with environments/staging.tfvars, against the mocked AWS provider:
#   terraform test -var-file=../environments/staging.tfvars -filter=tests/staging.tftest.hcl
# (terraform/test/platform.test.ts runs it).

mock_provider "aws" {
  source = "../modules/infergate-platform/tests/mocks"
}

run "staging" {
  command = apply

  assert {
    condition     = length(output.private_subnet_ids) == 3 && length(output.nat_public_ips) == 1
    error_message = "staging spans three AZs with one NAT gateway"
  }

  assert {
    condition     = output.argocd_cluster_secret.metadata.labels["infergate.io/environment"] == "staging" && !contains(keys(output.argocd_cluster_secret.metadata.annotations), "infergate_ingress_hostname")
    error_message = "staging's cluster secret is labelled staging, without an ingress hostname"
  }
}
