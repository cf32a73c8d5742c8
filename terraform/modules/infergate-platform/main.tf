data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  dns_suffix = data.aws_partition.current.dns_suffix

  # environment / owner / cost-center are always present; callers may add more (and set the same ones as provider default_tags).
  tags = merge(var.tags, {
    environment   = var.environment
    owner         = var.owner
    "cost-center" = var.cost_center
  })

  # Tag that lets the AWS load balancer controller and the cluster autoscaler discover resources of this cluster.
  cluster_tag_key = "kubernetes.io/cluster/${var.name}"
}
