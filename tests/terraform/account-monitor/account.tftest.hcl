# A provider authenticated to another account than the finding's: the plan fails.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "444455556666" }
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
  bucket_names            = ["example-bucket"]
  blocked_ips             = ["198.51.100.7"]
  guardduty_finding_types = ["Discovery:S3/MaliciousIPCaller.Custom"]
  alarm_emails            = ["soc@example.com"]
}

# Every resource has the check; these are the ones that depend on no other resource, so Terraform
# evaluates them first and the rest is never reached.
run "wrong_account_fails_the_trail_alarms_and_rule" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }

  expect_failures = [
    aws_kms_key.trail,
    aws_kms_key.alerts,
    aws_s3_bucket.logs,
    aws_s3_bucket.access_logs,
    aws_iam_role.trail,
    aws_cloudwatch_event_rule.guardduty,
  ]
}

run "wrong_account_existing_group_fails_filters_key_and_rule" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    existing_log_group_name = "org-trail-group"
  }

  expect_failures = [
    aws_kms_key.alerts,
    aws_cloudwatch_log_metric_filter.this,
    aws_cloudwatch_event_rule.guardduty,
  ]
}

run "wrong_account_rule_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_alarms      = false
    enable_data_events = false
  }

  expect_failures = [
    aws_kms_key.alerts,
    aws_cloudwatch_event_rule.guardduty,
  ]
}

run "right_account_passes" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "111122223333" }
  }

  assert {
    condition     = length(aws_cloudtrail.this) == 1 && length(aws_sns_topic.alerts) == 1
    error_message = "the right account plans"
  }
}
