provider "aws" {
  region              = var.region
  allowed_account_ids = var.allowed_account_ids

  default_tags {
    tags = {
      environment   = "shared"
      owner         = var.owner
      "cost-center" = var.cost_center
      project       = "infergate"
      managed-by    = "terraform"
    }
  }
}
