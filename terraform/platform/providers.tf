provider "aws" {
  region              = var.region
  allowed_account_ids = var.allowed_account_ids

  # Tags on everything the provider creates; the module adds the same tags
  # explicitly and propagates them to instances and volumes of the nodes.
  default_tags {
    tags = local.tags
  }
}
