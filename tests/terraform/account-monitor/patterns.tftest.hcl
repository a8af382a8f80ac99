# alarms: the exact metric filter patterns (the Rust tool rebuilds them byte for byte), their
# chunking, the alarms and the 100-filters-per-group limit.

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

variables {
  account_id              = "111122223333"
  region                  = "us-east-2"
  bucket_names            = ["example-bucket-b", "example-bucket-a"]
  blocked_ips             = ["198.51.100.7"]
  guardduty_finding_types = ["Discovery:S3/MaliciousIPCaller.Custom"]
  existing_log_group_name = "org-trail-group"
}

run "one_ip" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }

  assert {
    condition     = aws_cloudwatch_log_metric_filter.this["ips-00"].pattern == "{ ($.eventSource = \"s3.amazonaws.com\") && (($.sourceIPAddress = \"198.51.100.7\")) }"
    error_message = "pattern for one IP"
  }
  assert {
    condition     = output.metric_filter_patterns["ips-00"] == aws_cloudwatch_log_metric_filter.this["ips-00"].pattern
    error_message = "the output must show the filter's pattern"
  }
}

run "three_ips_sorted_and_deduplicated" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    blocked_ips = ["203.0.113.9", "198.51.100.7", "2001:db8::7", "203.0.113.9"]
  }

  assert {
    condition     = aws_cloudwatch_log_metric_filter.this["ips-00"].pattern == "{ ($.eventSource = \"s3.amazonaws.com\") && (($.sourceIPAddress = \"198.51.100.7\") || ($.sourceIPAddress = \"2001:db8::7\") || ($.sourceIPAddress = \"203.0.113.9\")) }"
    error_message = "pattern for three IPs"
  }
  assert {
    condition     = length([for k in keys(aws_cloudwatch_log_metric_filter.this) : k if startswith(k, "ips-")]) == 1
    error_message = "three IPs fit one filter"
  }
}

run "thirty_ips_make_three_filters" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    blocked_ips = [for i in range(30) : "198.51.100.${i}"]
  }

  assert {
    condition     = sort([for k in keys(aws_cloudwatch_log_metric_filter.this) : k if startswith(k, "ips-")]) == tolist(["ips-00", "ips-01", "ips-02"])
    error_message = "30 IPs in chunks of 14 make ips-00, ips-01 and ips-02"
  }
  assert {
    condition     = aws_cloudwatch_log_metric_filter.this["ips-02"].pattern == "{ ($.eventSource = \"s3.amazonaws.com\") && (($.sourceIPAddress = \"198.51.100.8\") || ($.sourceIPAddress = \"198.51.100.9\")) }"
    error_message = "the last chunk holds the last two addresses in string order"
  }
}

run "no_ips_no_ip_filter" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    blocked_ips = []
  }

  assert {
    condition     = length([for k in keys(aws_cloudwatch_log_metric_filter.this) : k if startswith(k, "ips-")]) == 0
    error_message = "no IPs, no IP filter"
  }
}

run "bucket_config_two_buckets" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }

  assert {
    condition     = aws_cloudwatch_log_metric_filter.this["bucket-config-00"].pattern == "{ ($.eventSource = \"s3.amazonaws.com\") && (($.eventName = \"PutBucketPublicAccessBlock\") || ($.eventName = \"DeleteBucketPublicAccessBlock\") || ($.eventName = \"PutBucketEncryption\") || ($.eventName = \"DeleteBucketEncryption\") || ($.eventName = \"PutBucketLogging\")) && (($.requestParameters.bucketName = \"example-bucket-a\") || ($.requestParameters.bucketName = \"example-bucket-b\")) }"
    error_message = "bucket-config pattern for two buckets"
  }
}

run "thirteen_buckets_make_three_bucket_filters" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    bucket_names = [for i in range(13) : format("example-bucket-%02d", i)]
  }

  assert {
    condition     = sort([for k in keys(aws_cloudwatch_log_metric_filter.this) : k if startswith(k, "bucket-config-")]) == tolist(["bucket-config-00", "bucket-config-01", "bucket-config-02"])
    error_message = "13 buckets in chunks of 6 make three filters"
  }
}

run "cis_patterns_verbatim" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }

  assert {
    condition     = aws_cloudwatch_log_metric_filter.this["cis-3-5-cloudtrail-changes"].pattern == "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"
    error_message = "CIS 3.5 pattern"
  }
  assert {
    condition     = aws_cloudwatch_log_metric_filter.this["cis-3-8-s3-bucket-policy-changes"].pattern == "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"
    error_message = "CIS 3.8 pattern"
  }
}

run "filters_and_alarms" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }

  assert {
    condition = alltrue([for k, f in aws_cloudwatch_log_metric_filter.this : alltrue([
      f.name == "tfremedy-${k}",
      f.log_group_name == "org-trail-group",
      f.metric_transformation[0].namespace == "tfremedy/tfremedy",
      f.metric_transformation[0].name == k,
      f.metric_transformation[0].value == "1",
      f.metric_transformation[0].dimensions == null,
    ])])
    error_message = "filter names, namespace, metric name, value and no dimensions"
  }
  assert {
    condition     = sort(keys(aws_cloudwatch_metric_alarm.this)) == sort(keys(aws_cloudwatch_log_metric_filter.this))
    error_message = "one alarm per filter"
  }
  assert {
    condition = alltrue([for k, a in aws_cloudwatch_metric_alarm.this : alltrue([
      a.alarm_name == "tfremedy-${k}",
      a.metric_name == k,
      a.namespace == "tfremedy/tfremedy",
      a.statistic == "Sum",
      a.period == 300,
      a.evaluation_periods == 1,
      a.threshold == 1,
      a.comparison_operator == "GreaterThanOrEqualToThreshold",
      a.treat_missing_data == "notBreaching",
      a.dimensions == null,
      length(a.alarm_actions) == 1,
      length(a.alarm_description) > 40,
    ])])
    error_message = "alarm settings"
  }
}

run "over_100_filters_fail" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    # 99 IP filters + 1 bucket filter + 2 CIS = 102
    blocked_ips          = [for i in range(99) : "198.51.100.${i}"]
    ip_filter_chunk_size = 1
  }

  expect_failures = [aws_cloudwatch_log_metric_filter.this]
}

run "exactly_100_filters_pass" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    blocked_ips          = [for i in range(97) : "198.51.100.${i}"]
    ip_filter_chunk_size = 1
  }

  assert {
    condition     = length(aws_cloudwatch_log_metric_filter.this) == 100
    error_message = "97 + 1 + 2 filters"
  }
}

run "longest_patterns_fit_1024" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    blocked_ips  = [for i in range(14) : format("fd12:3456:ffff:ffff:ffff:ffff:ffff:ff%02x", i)]
    bucket_names = [for i in range(7) : format("%s-%02d", join("", [for j in range(60) : "a"]), i)]
  }

  assert {
    condition     = alltrue([for f in aws_cloudwatch_log_metric_filter.this : length(f.pattern) <= 1024]) && length(aws_cloudwatch_log_metric_filter.this["ips-00"].pattern) == 980
    error_message = "the largest chunks stay within 1024 characters"
  }
}

run "alarms_off_no_filters" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_alarms = false
  }

  assert {
    condition     = length(aws_cloudwatch_log_metric_filter.this) == 0 && length(aws_cloudwatch_metric_alarm.this) == 0 && length(output.metric_filter_patterns) == 0
    error_message = "enable_alarms = false plans no filters or alarms"
  }
}
