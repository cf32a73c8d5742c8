terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # The bootstrap root keeps its own (small) state locally on first apply; see
  # terraform/README.md for moving it into the bucket it creates afterwards.
}
