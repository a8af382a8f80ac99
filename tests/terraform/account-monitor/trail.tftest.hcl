# s3-data-events: what is created with and without existing_log_group_name, the trail's event
# selectors and their 500-value limit, the bucket-name length check and the region check.

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
}

run "existing_group_creates_no_trail_bucket_key_role_or_group" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    existing_log_group_name = "aws-controltower/CloudTrailLogs"
  }

  assert {
    condition = alltrue([
      length(aws_cloudtrail.this) == 0,
      length(aws_s3_bucket.logs) == 0,
      length(aws_s3_bucket.access_logs) == 0,
      length(aws_s3_bucket_policy.logs) == 0,
      length(aws_s3_bucket_logging.logs) == 0,
      length(aws_kms_key.trail) == 0,
      length(aws_iam_role.trail) == 0,
      length(aws_iam_role_policy.trail) == 0,
      length(aws_cloudwatch_log_group.trail) == 0,
    ])
    error_message = "with an existing group nothing of the trail may be created"
  }
  assert {
    condition     = alltrue([for f in aws_cloudwatch_log_metric_filter.this : f.log_group_name == "aws-controltower/CloudTrailLogs"]) && length(aws_cloudwatch_log_metric_filter.this) == 4
    error_message = "the filters must attach to the existing group"
  }
  assert {
    condition     = output.trail_arn == null && output.log_group_name == "aws-controltower/CloudTrailLogs" && output.selector_value_count == 0
    error_message = "outputs for the existing-group case"
  }
}

run "without_existing_group_everything_is_planned" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }

  assert {
    condition = alltrue([
      length(aws_cloudtrail.this) == 1,
      length(aws_s3_bucket.logs) == 1,
      length(aws_s3_bucket_versioning.logs) == 1,
      length(aws_s3_bucket_server_side_encryption_configuration.logs) == 1,
      length(aws_s3_bucket_public_access_block.logs) == 1,
      length(aws_s3_bucket_ownership_controls.logs) == 1,
      length(aws_s3_bucket_lifecycle_configuration.logs) == 1,
      length(aws_s3_bucket_policy.logs) == 1,
      length(aws_s3_bucket_logging.logs) == 1,
      length(aws_s3_bucket.access_logs) == 1,
      length(aws_kms_key.trail) == 1,
      length(aws_iam_role.trail) == 1,
      length(aws_iam_role_policy.trail) == 1,
      length(aws_cloudwatch_log_group.trail) == 1,
    ])
    error_message = "without an existing group the trail and everything it needs must be planned"
  }
  assert {
    condition     = aws_s3_bucket.logs[0].bucket == "tfremedy-trail-logs-111122223333-us-east-2" && aws_s3_bucket.access_logs[0].bucket == "tfremedy-access-logs-111122223333-us-east-2"
    error_message = "bucket names"
  }
  assert {
    condition     = aws_cloudwatch_log_group.trail[0].name == "/aws/cloudtrail/tfremedy-s3-monitor" && aws_cloudwatch_log_group.trail[0].retention_in_days == 365
    error_message = "log group name and retention"
  }
  assert {
    condition     = output.log_group_name == "/aws/cloudtrail/tfremedy-s3-monitor" && output.trail_arn == "arn:aws:cloudtrail:us-east-2:111122223333:trail/tfremedy-s3-monitor"
    error_message = "outputs for the created trail"
  }
  assert {
    condition     = alltrue([for f in aws_cloudwatch_log_metric_filter.this : f.log_group_name == "/aws/cloudtrail/tfremedy-s3-monitor"])
    error_message = "the filters must attach to the created group"
  }
  assert {
    condition = alltrue([
      aws_cloudtrail.this[0].name == "tfremedy-s3-monitor",
      aws_cloudtrail.this[0].is_multi_region_trail,
      aws_cloudtrail.this[0].include_global_service_events,
      aws_cloudtrail.this[0].enable_log_file_validation,
      aws_cloudtrail.this[0].enable_logging,
    ])
    error_message = "trail settings"
  }
  assert {
    condition     = aws_kms_key.trail[0].enable_key_rotation && aws_kms_key.trail[0].deletion_window_in_days == 30
    error_message = "trail key rotation and deletion window"
  }
  assert {
    condition     = [for r in aws_s3_bucket_server_side_encryption_configuration.logs[0].rule : r.bucket_key_enabled] == [true] && [for r in aws_s3_bucket_server_side_encryption_configuration.logs[0].rule : r.apply_server_side_encryption_by_default[0].sse_algorithm] == ["aws:kms"]
    error_message = "log bucket SSE-KMS with a bucket key"
  }
  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.logs[0].rule : [r.expiration[0].days, r.noncurrent_version_expiration[0].noncurrent_days]] == [[365, 365]]
    error_message = "log bucket expiry"
  }
  assert {
    condition     = [for r in aws_s3_bucket_ownership_controls.logs[0].rule : r.object_ownership] == ["BucketOwnerEnforced"]
    error_message = "ACLs disabled on the log bucket"
  }
}

run "selectors_for_two_buckets" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }

  assert {
    condition     = length(aws_cloudtrail.this[0].advanced_event_selector) == 2
    error_message = "a data selector and a management selector"
  }
  assert {
    condition     = aws_cloudtrail.this[0].advanced_event_selector[0].name == "S3 data events on the affected buckets"
    error_message = "the first selector is the data selector"
  }
  assert {
    condition     = jsonencode([for s in aws_cloudtrail.this[0].advanced_event_selector[0].field_selector : s.starts_with if s.field == "resources.ARN"]) == jsonencode([["arn:aws:s3:::example-bucket-a/", "arn:aws:s3:::example-bucket-b/"]])
    error_message = "the ARN prefixes must be the sorted buckets' object prefixes"
  }
  assert {
    condition     = jsonencode({ for s in aws_cloudtrail.this[0].advanced_event_selector[0].field_selector : s.field => s.equals if s.field != "resources.ARN" }) == jsonencode({ "eventCategory" = ["Data"], "resources.type" = ["AWS::S3::Object"] })
    error_message = "data selector category and type"
  }
  assert {
    condition     = jsonencode({ for s in aws_cloudtrail.this[0].advanced_event_selector[1].field_selector : s.field => s.equals }) == jsonencode({ "eventCategory" = ["Management"], "readOnly" = ["false"] })
    error_message = "management selector: write events only"
  }
  assert {
    condition     = output.selector_value_count == 6
    error_message = "2 buckets count 6 values"
  }
}

run "no_buckets_keeps_only_the_management_selector" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    bucket_names = []
  }

  assert {
    condition     = length(aws_cloudtrail.this[0].advanced_event_selector) == 1 && aws_cloudtrail.this[0].advanced_event_selector[0].name == "Management write events" && output.selector_value_count == 2
    error_message = "no empty starts_with list may be planned"
  }
}

run "buckets_496_fit_the_500_values" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    bucket_names  = [for i in range(496) : format("example-bucket-%03d", i)]
    enable_alarms = false
  }

  assert {
    condition     = output.selector_value_count == 500
    error_message = "496 buckets count 500 values"
  }
}

run "buckets_499_exceed_the_500_values" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    bucket_names  = [for i in range(499) : format("example-bucket-%03d", i)]
    enable_alarms = false
  }

  expect_failures = [aws_cloudtrail.this]
}

run "long_name_prefix_fails_the_bucket_names" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    name_prefix = "a-very-long-prefix-for-names-xyz"
  }

  expect_failures = [aws_s3_bucket.logs, aws_s3_bucket.access_logs]
}

run "region_mismatch_fails" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    region = "eu-west-1"
  }

  expect_failures = [aws_kms_key.trail]
}

run "alarms_without_a_log_group_fail" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_data_events = false
  }

  expect_failures = [aws_sns_topic.alerts]
}
