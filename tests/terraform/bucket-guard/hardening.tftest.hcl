# The optional hardening inputs: ownership controls (BucketOwnerEnforced), versioning (Enabled
# only) and server access logging (target bucket and prefix). All are off by default, take their
# default when given null, validate their values and carry the account precondition.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  bucket          = "example-bucket"
  account_id      = "111122223333"
  existing_policy = "none"
}

run "defaults_leave_ownership_versioning_and_logging_alone" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }

  assert {
    condition = alltrue([
      length(aws_s3_bucket_ownership_controls.this) == 0,
      length(aws_s3_bucket_versioning.this) == 0,
      length(aws_s3_bucket_logging.this) == 0,
    ])
    error_message = "the new inputs must default to off"
  }
  assert {
    condition     = output.versioning_enabled == false && output.access_log_target == null
    error_message = "outputs when the new inputs are off"
  }
  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1 && length(aws_s3_bucket_server_side_encryption_configuration.this) == 1 && length(aws_s3_bucket_public_access_block.this) == 1
    error_message = "the existing fixes are unchanged"
  }
}

run "nulls_take_the_defaults_for_the_new_inputs" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_ownership_controls = null
    enable_versioning         = null
    access_log_target_bucket  = null
    access_log_prefix         = null
  }

  assert {
    condition     = length(aws_s3_bucket_ownership_controls.this) == 0 && length(aws_s3_bucket_versioning.this) == 0 && length(aws_s3_bucket_logging.this) == 0
    error_message = "null must mean off"
  }
}

run "ownership_controls_enforce_the_bucket_owner" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_ownership_controls = true
  }

  assert {
    condition     = [for r in aws_s3_bucket_ownership_controls.this[0].rule : r.object_ownership] == ["BucketOwnerEnforced"]
    error_message = "object ownership must be BucketOwnerEnforced"
  }
  assert {
    condition     = aws_s3_bucket_ownership_controls.this[0].bucket == "example-bucket"
    error_message = "ownership controls on the wrong bucket"
  }
  assert {
    condition     = length(aws_s3_bucket_versioning.this) == 0 && length(aws_s3_bucket_logging.this) == 0
    error_message = "ownership controls alone"
  }
}

run "versioning_is_enabled" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_versioning = true
  }

  assert {
    condition     = [for v in aws_s3_bucket_versioning.this[0].versioning_configuration : v.status] == ["Enabled"]
    error_message = "versioning status must be Enabled"
  }
  assert {
    condition     = aws_s3_bucket_versioning.this[0].bucket == "example-bucket"
    error_message = "versioning on the wrong bucket"
  }
  assert {
    condition     = output.versioning_enabled == true
    error_message = "versioning_enabled output"
  }
  assert {
    condition     = length(aws_s3_bucket_ownership_controls.this) == 0 && length(aws_s3_bucket_logging.this) == 0
    error_message = "versioning alone"
  }
}

run "logging_uses_the_default_prefix" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    access_log_target_bucket = "tfremedy-access-logs-111122223333-us-east-2"
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_logging.this[0].bucket == "example-bucket",
      aws_s3_bucket_logging.this[0].target_bucket == "tfremedy-access-logs-111122223333-us-east-2",
      aws_s3_bucket_logging.this[0].target_prefix == "s3-access-logs/example-bucket/",
    ])
    error_message = "logging target and default prefix"
  }
  assert {
    condition     = length(aws_s3_bucket_logging.this[0].target_grant) == 0
    error_message = "no ACL target grants (a BucketOwnerEnforced target rejects them)"
  }
  assert {
    condition     = output.access_log_target == "tfremedy-access-logs-111122223333-us-east-2"
    error_message = "access_log_target output"
  }
  assert {
    condition     = length(aws_s3_bucket_ownership_controls.this) == 0 && length(aws_s3_bucket_versioning.this) == 0
    error_message = "logging alone"
  }
}

run "logging_uses_the_given_prefix" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    access_log_target_bucket = "central-logs"
    access_log_prefix        = "logs/example/"
  }

  assert {
    condition     = aws_s3_bucket_logging.this[0].target_bucket == "central-logs" && aws_s3_bucket_logging.this[0].target_prefix == "logs/example/"
    error_message = "logging target and given prefix"
  }
}

run "logging_accepts_an_empty_prefix" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    access_log_target_bucket = "central-logs"
    access_log_prefix        = ""
  }

  # "" is a real prefix (logs at the top of the target), not "use the default".
  assert {
    condition     = aws_s3_bucket_logging.this[0].target_prefix == ""
    error_message = "an empty prefix must be kept"
  }
}

run "prefix_without_a_target_plans_no_logging" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    access_log_prefix = "logs/example/"
  }

  assert {
    condition     = length(aws_s3_bucket_logging.this) == 0 && output.access_log_target == null
    error_message = "the prefix alone must not turn logging on"
  }
}

run "logging_into_itself_fails" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    access_log_target_bucket = "example-bucket"
  }

  expect_failures = [aws_s3_bucket_logging.this]
}

run "all_three_together" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_ownership_controls = true
    enable_versioning         = true
    access_log_target_bucket  = "central-logs"
  }

  assert {
    condition     = length(aws_s3_bucket_ownership_controls.this) == 1 && length(aws_s3_bucket_versioning.this) == 1 && length(aws_s3_bucket_logging.this) == 1
    error_message = "all three planned"
  }
}

run "bad_access_log_target_bucket_empty" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    access_log_target_bucket = ""
  }

  expect_failures = [var.access_log_target_bucket]
}

run "bad_access_log_target_bucket_characters" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    access_log_target_bucket = "s3://central-logs"
  }

  expect_failures = [var.access_log_target_bucket]
}

run "bad_access_log_target_bucket_too_long" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    access_log_target_bucket = join("", [for i in range(256) : "a"])
  }

  expect_failures = [var.access_log_target_bucket]
}

run "good_access_log_target_bucket_legacy_name" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    access_log_target_bucket = "Legacy_Logs.bucket-1"
  }

  assert {
    condition     = aws_s3_bucket_logging.this[0].target_bucket == "Legacy_Logs.bucket-1"
    error_message = "legacy bucket names are accepted"
  }
}

run "bad_access_log_prefix_control_character" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    access_log_target_bucket = "central-logs"
    access_log_prefix        = "logs/\nexample/"
  }

  expect_failures = [var.access_log_prefix]
}

run "bad_access_log_prefix_too_long" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    access_log_target_bucket = "central-logs"
    access_log_prefix        = join("", [for i in range(513) : "p"])
  }

  expect_failures = [var.access_log_prefix]
}

run "wrong_account_fails_ownership_versioning_and_logging" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_tls_only            = false
    enable_default_encryption  = false
    enable_public_access_block = false
    enable_ownership_controls  = true
    enable_versioning          = true
    access_log_target_bucket   = "central-logs"
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "444455556666" }
  }

  expect_failures = [
    aws_s3_bucket_ownership_controls.this,
    aws_s3_bucket_versioning.this,
    aws_s3_bucket_logging.this,
  ]
}

run "wrong_account_ownership_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_tls_only            = false
    enable_default_encryption  = false
    enable_public_access_block = false
    enable_ownership_controls  = true
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "444455556666" }
  }

  expect_failures = [aws_s3_bucket_ownership_controls.this]
}

run "wrong_account_versioning_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_tls_only            = false
    enable_default_encryption  = false
    enable_public_access_block = false
    enable_versioning          = true
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "444455556666" }
  }

  expect_failures = [aws_s3_bucket_versioning.this]
}

run "wrong_account_logging_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_tls_only            = false
    enable_default_encryption  = false
    enable_public_access_block = false
    access_log_target_bucket   = "central-logs"
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "444455556666" }
  }

  expect_failures = [aws_s3_bucket_logging.this]
}
