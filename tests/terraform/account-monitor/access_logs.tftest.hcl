# enable_access_log_target (the access-log bucket as server access log target for bucket_names,
# with or without a trail; its bucket policy) and enable_account_public_access_block.
# Mocks cannot render aws_iam_policy_document, so the policy is checked through the statement
# blocks that go into it (what parliament sees rendered is in NOTES.md).

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
  bucket_names            = ["example-bucket-b", "example-bucket-a", "example-bucket-b"]
  blocked_ips             = ["198.51.100.7"]
  guardduty_finding_types = ["Discovery:S3/MaliciousIPCaller.Custom"]
}

run "defaults_keep_the_log_bucket_as_the_only_source" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }

  assert {
    condition     = output.access_log_bucket_name == "tfremedy-access-logs-111122223333-us-east-2"
    error_message = "with a trail the access-log bucket exists and is named in the output"
  }
  assert {
    condition = [for c in data.aws_iam_policy_document.access_logs_bucket[0].statement[0].condition : [c.test, c.variable, c.values] if c.variable == "aws:SourceArn"] == [
      ["ArnLike", "aws:SourceArn", tolist(["arn:aws:s3:::tfremedy-trail-logs-111122223333-us-east-2"])]
    ]
    error_message = "without enable_access_log_target only the trail log bucket may deliver"
  }
  assert {
    condition     = length(aws_s3_account_public_access_block.this) == 0
    error_message = "the account public access block is off by default"
  }
}

run "nulls_take_the_defaults_for_the_new_inputs" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_account_public_access_block = null
    enable_access_log_target           = null
    enable_data_events                 = false
    enable_alarms                      = false
  }

  assert {
    condition     = length(aws_s3_account_public_access_block.this) == 0 && length(aws_s3_bucket.access_logs) == 0 && output.access_log_bucket_name == null
    error_message = "null must mean off"
  }
}

run "no_trail_and_no_target_creates_no_access_log_bucket" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_data_events = false
    enable_alarms      = false
  }

  assert {
    condition = alltrue([
      length(aws_s3_bucket.access_logs) == 0,
      length(aws_s3_bucket_policy.access_logs) == 0,
      length(data.aws_iam_policy_document.access_logs_bucket) == 0,
    ])
    error_message = "no access-log bucket without a trail or enable_access_log_target"
  }
  assert {
    condition     = output.access_log_bucket_name == null
    error_message = "access_log_bucket_name must be null when the bucket does not exist"
  }
}

run "target_with_a_trail_adds_the_buckets_as_sources" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_access_log_target = true
  }

  # The bucket's id is only known after apply; fix it at plan time to follow the references.
  override_resource {
    target          = aws_s3_bucket.access_logs
    override_during = plan
    values          = { id = "tfremedy-access-logs-111122223333-us-east-2" }
  }

  assert {
    condition     = length(aws_s3_bucket.access_logs) == 1 && length(aws_s3_bucket_logging.logs) == 1 && length(aws_cloudtrail.this) == 1
    error_message = "one access-log bucket, still the target of the trail log bucket"
  }
  assert {
    condition = [for c in data.aws_iam_policy_document.access_logs_bucket[0].statement[0].condition : [c.test, c.variable, c.values] if c.variable == "aws:SourceArn"] == [
      ["ArnLike", "aws:SourceArn", tolist([
        "arn:aws:s3:::tfremedy-trail-logs-111122223333-us-east-2",
        "arn:aws:s3:::example-bucket-a",
        "arn:aws:s3:::example-bucket-b",
      ])]
    ]
    error_message = "sources: the trail log bucket, then the sorted, distinct bucket_names"
  }
  assert {
    condition     = aws_s3_bucket_logging.logs[0].target_bucket == "tfremedy-access-logs-111122223333-us-east-2"
    error_message = "the trail log bucket still logs into the access-log bucket"
  }
}

run "target_without_a_trail_creates_the_hardened_bucket" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_data_events       = false
    enable_alarms            = false
    enable_access_log_target = true
  }

  assert {
    condition = alltrue([
      length(aws_s3_bucket.access_logs) == 1,
      length(aws_s3_bucket_versioning.access_logs) == 1,
      length(aws_s3_bucket_server_side_encryption_configuration.access_logs) == 1,
      length(aws_s3_bucket_public_access_block.access_logs) == 1,
      length(aws_s3_bucket_ownership_controls.access_logs) == 1,
      length(aws_s3_bucket_lifecycle_configuration.access_logs) == 1,
      length(aws_s3_bucket_policy.access_logs) == 1,
    ])
    error_message = "the access-log bucket and all its hardening resources"
  }
  assert {
    condition = alltrue([
      length(aws_cloudtrail.this) == 0,
      length(aws_s3_bucket.logs) == 0,
      length(aws_s3_bucket_logging.logs) == 0,
      length(aws_kms_key.trail) == 0,
      length(aws_cloudwatch_log_group.trail) == 0,
    ])
    error_message = "no trail and nothing of the trail"
  }
  assert {
    condition     = output.access_log_bucket_name == "tfremedy-access-logs-111122223333-us-east-2" && aws_s3_bucket.access_logs[0].bucket == "tfremedy-access-logs-111122223333-us-east-2"
    error_message = "access-log bucket name"
  }
  assert {
    condition     = [for r in aws_s3_bucket_server_side_encryption_configuration.access_logs[0].rule : r.apply_server_side_encryption_by_default[0].sse_algorithm] == ["AES256"]
    error_message = "SSE-S3: server access logging cannot deliver to an SSE-KMS bucket"
  }
  assert {
    condition     = [for r in aws_s3_bucket_ownership_controls.access_logs[0].rule : r.object_ownership] == ["BucketOwnerEnforced"]
    error_message = "ACLs disabled on the access-log bucket"
  }
  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.access_logs[0].block_public_acls,
      aws_s3_bucket_public_access_block.access_logs[0].block_public_policy,
      aws_s3_bucket_public_access_block.access_logs[0].ignore_public_acls,
      aws_s3_bucket_public_access_block.access_logs[0].restrict_public_buckets,
    ])
    error_message = "public access block on the access-log bucket"
  }
  assert {
    condition     = [for v in aws_s3_bucket_versioning.access_logs[0].versioning_configuration : v.status] == ["Enabled"] && [for r in aws_s3_bucket_lifecycle_configuration.access_logs[0].rule : r.expiration[0].days] == [365]
    error_message = "versioning and expiry on the access-log bucket"
  }
}

run "access_log_policy_statements" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_data_events       = false
    enable_alarms            = false
    enable_access_log_target = true
  }

  override_resource {
    target          = aws_s3_bucket.access_logs
    override_during = plan
    values          = { id = "tfremedy-access-logs-111122223333-us-east-2" }
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.access_logs_bucket[0].statement : s.sid] == ["S3ServerAccessLogsPolicy", "DenyInsecureTransport"]
    error_message = "the delivery statement and the TLS-only deny, nothing else"
  }
  assert {
    condition = alltrue([
      coalesce(data.aws_iam_policy_document.access_logs_bucket[0].statement[0].effect, "Allow") == "Allow",
      data.aws_iam_policy_document.access_logs_bucket[0].statement[0].actions == toset(["s3:PutObject"]),
      data.aws_iam_policy_document.access_logs_bucket[0].statement[0].resources == toset(["arn:aws:s3:::tfremedy-access-logs-111122223333-us-east-2/*"]),
    ])
    error_message = "delivery: Allow s3:PutObject on the access-log bucket's objects only"
  }
  assert {
    condition = [for p in data.aws_iam_policy_document.access_logs_bucket[0].statement[0].principals : [p.type, p.identifiers]] == [
      ["Service", toset(["logging.s3.amazonaws.com"])]
    ]
    error_message = "delivery principal: the S3 logging service only"
  }
  assert {
    condition = [for c in data.aws_iam_policy_document.access_logs_bucket[0].statement[0].condition : [c.test, c.variable, c.values]] == [
      ["ArnLike", "aws:SourceArn", tolist(["arn:aws:s3:::example-bucket-a", "arn:aws:s3:::example-bucket-b"])],
      ["StringEquals", "aws:SourceAccount", tolist(["111122223333"])],
    ]
    error_message = "delivery conditions: the affected buckets (no trail log bucket without a trail) and this account"
  }
  assert {
    condition = alltrue([
      data.aws_iam_policy_document.access_logs_bucket[0].statement[1].effect == "Deny",
      data.aws_iam_policy_document.access_logs_bucket[0].statement[1].actions == toset(["s3:*"]),
      data.aws_iam_policy_document.access_logs_bucket[0].statement[1].resources == toset(["arn:aws:s3:::tfremedy-access-logs-111122223333-us-east-2", "arn:aws:s3:::tfremedy-access-logs-111122223333-us-east-2/*"]),
      [for c in data.aws_iam_policy_document.access_logs_bucket[0].statement[1].condition : [c.test, c.variable, c.values]] == [["Bool", "aws:SecureTransport", tolist(["false"])]],
    ])
    error_message = "TLS-only deny on the access-log bucket and its objects"
  }
  assert {
    condition     = aws_s3_bucket_policy.access_logs[0].bucket == "tfremedy-access-logs-111122223333-us-east-2"
    error_message = "the policy is on the access-log bucket"
  }
}

run "existing_group_with_target" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    existing_log_group_name  = "aws-controltower/CloudTrailLogs"
    enable_access_log_target = true
  }

  assert {
    condition     = length(aws_s3_bucket.access_logs) == 1 && length(aws_cloudtrail.this) == 0 && length(aws_s3_bucket.logs) == 0
    error_message = "an existing group and a log target: the access-log bucket only"
  }
  assert {
    condition = [for c in data.aws_iam_policy_document.access_logs_bucket[0].statement[0].condition : c.values if c.variable == "aws:SourceArn"] == [
      tolist(["arn:aws:s3:::example-bucket-a", "arn:aws:s3:::example-bucket-b"])
    ]
    error_message = "sources: the affected buckets only"
  }
}

run "source_arns_follow_the_partition" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    region                   = "us-gov-west-1"
    enable_access_log_target = true
  }

  override_data {
    target = data.aws_partition.current
    values = { partition = "aws-us-gov", dns_suffix = "amazonaws.com" }
  }
  override_data {
    target = data.aws_region.current
    values = { endpoint = "ec2.us-gov-west-1.amazonaws.com" }
  }

  assert {
    condition = [for c in data.aws_iam_policy_document.access_logs_bucket[0].statement[0].condition : c.values if c.variable == "aws:SourceArn"] == [
      tolist([
        "arn:aws-us-gov:s3:::tfremedy-trail-logs-111122223333-us-gov-west-1",
        "arn:aws-us-gov:s3:::example-bucket-a",
        "arn:aws-us-gov:s3:::example-bucket-b",
      ])
    ]
    error_message = "source ARNs in the provider's partition"
  }
  assert {
    condition     = data.aws_iam_policy_document.access_logs_bucket[0].statement[0].resources == toset(["arn:aws-us-gov:s3:::tfremedy-access-logs-111122223333-us-gov-west-1/*"])
    error_message = "resource ARN in the provider's partition"
  }
}

run "target_with_nothing_to_log_fails" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    bucket_names             = []
    enable_data_events       = false
    enable_alarms            = false
    enable_access_log_target = true
  }

  expect_failures = [aws_s3_bucket_policy.access_logs]
}

run "long_name_prefix_fails_the_access_log_bucket_without_a_trail" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    name_prefix              = "a-very-long-prefix-for-names-xyz"
    enable_data_events       = false
    enable_alarms            = false
    enable_access_log_target = true
  }

  expect_failures = [aws_s3_bucket.access_logs]
}

run "access_log_policy_over_20480_bytes_fails" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_data_events       = false
    enable_alarms            = false
    enable_access_log_target = true
  }

  override_data {
    target = data.aws_iam_policy_document.access_logs_bucket
    # 20481 characters
    values = { json = "{}", minified_json = format("%20481s", "x") }
  }

  expect_failures = [aws_s3_bucket_policy.access_logs]
}

run "access_log_policy_of_20480_bytes_passes" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_data_events       = false
    enable_alarms            = false
    enable_access_log_target = true
  }

  override_data {
    target = data.aws_iam_policy_document.access_logs_bucket
    # 20480 characters
    values = { json = "{}", minified_json = format("%20480s", "x") }
  }

  assert {
    condition     = length(aws_s3_bucket_policy.access_logs) == 1
    error_message = "a policy of exactly 20480 bytes fits"
  }
}

run "account_public_access_block_sets_all_four" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_account_public_access_block = true
  }

  assert {
    condition = alltrue([
      aws_s3_account_public_access_block.this[0].block_public_acls,
      aws_s3_account_public_access_block.this[0].block_public_policy,
      aws_s3_account_public_access_block.this[0].ignore_public_acls,
      aws_s3_account_public_access_block.this[0].restrict_public_buckets,
    ])
    error_message = "all four account-level settings must be true"
  }
  assert {
    condition     = aws_s3_account_public_access_block.this[0].account_id == "111122223333"
    error_message = "the account public access block is for account_id"
  }
}

run "account_public_access_block_alone" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_account_public_access_block = true
    enable_data_events                 = false
    enable_alarms                      = false
    enable_guardduty_alert             = false
  }

  assert {
    condition     = length(aws_s3_account_public_access_block.this) == 1 && length(aws_s3_bucket.access_logs) == 0 && length(aws_sns_topic.alerts) == 0 && length(aws_cloudwatch_event_rule.guardduty) == 0
    error_message = "the account public access block does not need anything else"
  }
}

run "wrong_account_fails_the_account_public_access_block" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_account_public_access_block = true
    enable_data_events                 = false
    enable_alarms                      = false
    enable_guardduty_alert             = false
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "444455556666" }
  }

  expect_failures = [aws_s3_account_public_access_block.this]
}

run "wrong_account_fails_the_access_log_bucket_without_a_trail" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    enable_data_events       = false
    enable_alarms            = false
    enable_guardduty_alert   = false
    enable_access_log_target = true
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "444455556666" }
  }

  expect_failures = [aws_s3_bucket.access_logs]
}
