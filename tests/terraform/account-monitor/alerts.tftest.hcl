# alerts topic, email subscriptions, the GuardDuty EventBridge rule and the toggles.

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
  bucket_names            = ["example-bucket"]
  blocked_ips             = ["198.51.100.7"]
  guardduty_finding_types = ["Discovery:S3/MaliciousIPCaller.Custom", "Discovery:S3/MaliciousIPCaller"]
}

run "event_pattern_json" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }

  assert {
    condition     = aws_cloudwatch_event_rule.guardduty[0].event_pattern == "{\"detail\":{\"severity\":[{\"numeric\":[\"\\u003e=\",7]}],\"type\":[\"Discovery:S3/MaliciousIPCaller.Custom\",\"Discovery:S3/MaliciousIPCaller\"]},\"detail-type\":[\"GuardDuty Finding\"],\"source\":[\"aws.guardduty\"]}"
    error_message = "event pattern JSON"
  }
  assert {
    condition     = aws_cloudwatch_event_rule.guardduty[0].name == "tfremedy-guardduty-s3-findings" && aws_cloudwatch_event_target.guardduty[0].rule == "tfremedy-guardduty-s3-findings"
    error_message = "rule and target"
  }
}

run "min_severity_is_used" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    guardduty_min_severity = 4.5
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.guardduty[0].event_pattern).detail.severity[0].numeric[1] == 4.5
    error_message = "severity threshold"
  }
}

run "empty_finding_types_fail_the_rule" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    guardduty_finding_types = []
  }

  expect_failures = [aws_cloudwatch_event_rule.guardduty]
}

run "email_subscriptions" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    alarm_emails = ["soc@example.com", "oncall@example.org"]
  }

  assert {
    condition     = sort(keys(aws_sns_topic_subscription.email)) == tolist(["oncall@example.org", "soc@example.com"])
    error_message = "one subscription per email"
  }
  assert {
    condition     = alltrue([for s in aws_sns_topic_subscription.email : s.protocol == "email"])
    error_message = "protocol email"
  }
}

run "no_emails_no_subscriptions" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0 && length(aws_sns_topic.alerts) == 1
    error_message = "the topic exists without subscriptions"
  }
}

run "topic_is_encrypted_and_key_rotates" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }

  assert {
    condition     = aws_kms_key.alerts[0].enable_key_rotation && aws_sns_topic.alerts[0].name == "tfremedy-s3-alerts"
    error_message = "alerts key rotation and topic name"
  }
}

run "guardduty_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_alarms      = false
    enable_data_events = false
    alarm_emails       = ["soc@example.com"]
  }

  assert {
    condition = alltrue([
      length(aws_cloudtrail.this) == 0,
      length(aws_kms_key.trail) == 0,
      length(aws_cloudwatch_log_metric_filter.this) == 0,
      length(aws_cloudwatch_metric_alarm.this) == 0,
      length(aws_sns_topic.alerts) == 1,
      length(aws_cloudwatch_event_rule.guardduty) == 1,
      length(aws_sns_topic_subscription.email) == 1,
    ])
    error_message = "only the topic and the rule"
  }
}

run "everything_off_plans_nothing" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_alarms          = false
    enable_data_events     = false
    enable_guardduty_alert = false
    alarm_emails           = ["soc@example.com"]
  }

  assert {
    condition = alltrue([
      length(aws_cloudtrail.this) == 0,
      length(aws_s3_bucket.logs) == 0,
      length(aws_s3_bucket.access_logs) == 0,
      length(aws_kms_key.trail) == 0,
      length(aws_kms_key.alerts) == 0,
      length(aws_iam_role.trail) == 0,
      length(aws_cloudwatch_log_group.trail) == 0,
      length(aws_cloudwatch_log_metric_filter.this) == 0,
      length(aws_cloudwatch_metric_alarm.this) == 0,
      length(aws_sns_topic.alerts) == 0,
      length(aws_sns_topic_policy.alerts) == 0,
      length(aws_sns_topic_subscription.email) == 0,
      length(aws_cloudwatch_event_rule.guardduty) == 0,
      length(aws_cloudwatch_event_target.guardduty) == 0,
    ])
    error_message = "all toggles off plan nothing"
  }
  assert {
    condition     = output.alerts_topic_arn == null && output.trail_arn == null && output.log_group_name == null
    error_message = "null outputs"
  }
}

run "data_events_off_with_existing_group_keeps_alarms" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_data_events      = false
    enable_guardduty_alert  = false
    existing_log_group_name = "org-trail-group"
  }

  assert {
    condition     = length(aws_cloudtrail.this) == 0 && length(aws_cloudwatch_log_metric_filter.this) == 4 && length(aws_cloudwatch_event_rule.guardduty) == 0 && length(aws_sns_topic.alerts) == 1
    error_message = "alarms on the existing group, no rule"
  }
}
