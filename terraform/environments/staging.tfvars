# staging: three AZs like prod, but one shared NAT gateway to save cost; flow logs kept 90 days.
environment = "staging"
name        = "infergate-staging"
region      = "eu-central-1"
vpc_cidr    = "10.20.0.0/16"
az_count    = 3

single_nat_gateway                              = true
enable_flow_log                                 = true
flow_log_cloudwatch_log_group_retention_in_days = 90
cloudwatch_log_group_retention_in_days          = 90

node_group_sizes = {
  system         = { min_size = 2, max_size = 3, desired_size = 2 }
  inference-spot = { min_size = 1, max_size = 6, desired_size = 2 }
  gpu            = { min_size = 0, max_size = 2, desired_size = 0 }
}
inference_instance_types = ["m6i.xlarge", "m6a.xlarge", "m5.xlarge", "m5a.xlarge", "m7i.xlarge"]

model_bucket_noncurrent_version_expiration_days = 30
ecr_max_image_count                             = 100
