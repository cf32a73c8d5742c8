# prod: three AZs with one NAT gateway each (no cross-AZ egress dependency), logs kept a year.
# Plan with -var ingress_hostname=<DNS name of the ingress>: values-prod.yaml turns TLS on.
environment = "prod"
name        = "infergate-prod"
region      = "eu-central-1"
vpc_cidr    = "10.30.0.0/16"
az_count    = 3

single_nat_gateway                              = false
enable_flow_log                                 = true
flow_log_cloudwatch_log_group_retention_in_days = 365
cloudwatch_log_group_retention_in_days          = 365

node_group_sizes = {
  system         = { min_size = 3, max_size = 6, desired_size = 3 }
  inference-spot = { min_size = 3, max_size = 20, desired_size = 3 }
  gpu            = { min_size = 0, max_size = 4, desired_size = 0 }
}
inference_instance_types = ["m6i.xlarge", "m6a.xlarge", "m5.xlarge", "m5a.xlarge", "m7i.xlarge"]
require_ingress_hostname = true

model_bucket_noncurrent_version_expiration_days = 90
ecr_max_image_count                             = 200
