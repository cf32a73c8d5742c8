################################################################################
# Managed node groups: private subnets only, IMDSv2 required, encrypted gp3
# root volumes, labels/taints, cluster-autoscaler discovery tags and optional
# scheduled scaling (e.g. scale dev to zero outside working hours).
################################################################################

resource "aws_iam_role" "node" {
  name = "${var.name}-node"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = merge({
    AmazonEKSWorkerNodePolicy          = "arn:${local.partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy"
    AmazonEC2ContainerRegistryReadOnly = "arn:${local.partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
    AmazonEKS_CNI_Policy               = "arn:${local.partition}:iam::aws:policy/AmazonEKS_CNI_Policy"
  }, var.node_iam_role_additional_policies)

  role       = aws_iam_role.node.name
  policy_arn = each.value
}

locals {
  # Cluster-autoscaler auto-discovery tags. For scale-from-zero (e.g. the GPU
  # group) cluster-autoscaler >= 1.24 reads the group's labels and taints from
  # eks:DescribeNodegroup, so no node-template tags on the ASG are needed.
  node_group_autoscaler_tags = {
    "k8s.io/cluster-autoscaler/enabled"     = "true"
    "k8s.io/cluster-autoscaler/${var.name}" = "owned"
  }
}

resource "aws_launch_template" "node" {
  for_each = var.eks_managed_node_groups

  name_prefix            = "${var.name}-${each.key}-"
  description            = "EKS managed node group ${var.name}/${each.key}"
  update_default_version = true
  ebs_optimized          = true

  # IMDSv2 only; hop limit 1 keeps pods (non host-network) away from the node role
  # credentials, so workloads must use IRSA. Deliberately not configurable.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  block_device_mappings {
    # Bottlerocket keeps containers on its second (data) volume.
    device_name = startswith(each.value.ami_type, "BOTTLEROCKET") ? "/dev/xvdb" : "/dev/xvda"

    ebs {
      volume_size           = each.value.disk_size
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }

  dynamic "tag_specifications" {
    for_each = toset(["instance", "volume", "network-interface"])

    content {
      resource_type = tag_specifications.value
      tags          = merge(local.tags, each.value.tags, { Name = "${var.name}-${each.key}" })
    }
  }

  tags = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_eks_node_group" "this" {
  for_each = var.eks_managed_node_groups

  cluster_name    = aws_eks_cluster.this.name
  node_group_name = coalesce(each.value.name, each.key)
  node_role_arn   = aws_iam_role.node.arn
  version         = var.kubernetes_version

  # Nodes never get a public subnet.
  subnet_ids = aws_subnet.private[*].id

  ami_type       = each.value.ami_type
  capacity_type  = each.value.capacity_type
  instance_types = each.value.instance_types
  labels         = each.value.labels

  scaling_config {
    min_size     = each.value.min_size
    max_size     = each.value.max_size
    desired_size = each.value.desired_size
  }

  update_config {
    max_unavailable_percentage = each.value.max_unavailable_percentage
  }

  launch_template {
    id      = aws_launch_template.node[each.key].id
    version = aws_launch_template.node[each.key].latest_version
  }

  dynamic "taint" {
    for_each = each.value.taints

    content {
      key    = taint.value.key
      value  = taint.value.value
      effect = taint.value.effect
    }
  }

  tags = merge(local.tags, local.node_group_autoscaler_tags, each.value.tags)

  lifecycle {
    # desired_size is owned by the cluster autoscaler and the scaling schedules after creation.
    ignore_changes = [scaling_config[0].desired_size]
  }

  depends_on = [
    aws_iam_role_policy_attachment.node,
    aws_eks_addon.before_compute,
  ]
}

locals {
  node_group_schedules = merge([
    for g_key, g in var.eks_managed_node_groups : {
      for s_key, s in g.schedules : "${g_key}-${s_key}" => merge(s, { node_group = g_key })
    }
  ]...)
}

resource "aws_autoscaling_schedule" "node_group" {
  for_each = local.node_group_schedules

  scheduled_action_name  = "${var.name}-${each.key}"
  autoscaling_group_name = aws_eks_node_group.this[each.value.node_group].resources[0].autoscaling_groups[0].name
  recurrence             = each.value.recurrence
  time_zone              = each.value.time_zone
  min_size               = each.value.min_size
  max_size               = each.value.max_size
  desired_capacity       = each.value.desired_size
}
