# dev: disposable and cheap. Two AZs, one NAT gateway, no flow logs, everything scaled to
# zero outside working hours, and destroy removes leftover models and images.
environment = "dev"
name        = "infergate-dev"
region      = "eu-central-1"
vpc_cidr    = "10.10.0.0/16"
az_count    = 2

single_nat_gateway                     = true
enable_flow_log                        = false
cloudwatch_log_group_retention_in_days = 30

node_group_sizes = {
  system         = { min_size = 1, max_size = 2, desired_size = 1 }
  inference-spot = { min_size = 1, max_size = 3, desired_size = 1 }
  gpu            = { min_size = 0, max_size = 1, desired_size = 0 }
}
inference_instance_types = ["m6i.xlarge", "m6a.xlarge", "m5.xlarge", "m5a.xlarge"]
scheduled_scale_down     = { enabled = true }

model_bucket_noncurrent_version_expiration_days = 14
ecr_max_image_count                             = 30
disposable                                      = true
