# The root in main.tf calls the module the way the generated root does.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { endpoint = "ec2.us-east-2.amazonaws.com" }
  }
}

run "root_plans" {
  command = plan

  assert {
    condition     = output.selector_value_count == 6
    error_message = "2 buckets: 2 + 2 + 2 selector values"
  }
  assert {
    condition     = sort(keys(output.metric_filter_patterns)) == tolist(["bucket-config-00", "cis-3-5-cloudtrail-changes", "cis-3-8-s3-bucket-policy-changes", "ips-00"])
    error_message = "one IP filter, one bucket filter and the two CIS filters"
  }
}
