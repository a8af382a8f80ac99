# A provider authenticated to another account than the finding's: every resource (and each read of
# the live policy, data.aws_s3_bucket_policy.live for "read" and .current for "pinned") refuses to
# plan, the reads before they are made. The public access block is planned after the policy
# (depends_on): when the policy fails, Terraform does not get to the public access block, so it
# reports its own failure only when there is no policy.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "444455556666" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  bucket          = "example-bucket"
  account_id      = "111122223333"
  deny_cidrs      = ["198.51.100.7/32"]
  baseline_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}]}"
}

run "wrong_account_none_fails_policy_and_sse" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "none"
  }

  expect_failures = [
    aws_s3_bucket_policy.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}

run "wrong_account_unknown_fails_policy_and_sse_without_reading" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "unknown"
  }

  # Were the live policy read, its own account precondition would fail too, which is not expected.
  expect_failures = [
    aws_s3_bucket_policy.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}

run "wrong_account_read_fails_the_read_and_sse" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "read"
  }

  # aws_s3_bucket_policy.this depends on the failed read, so Terraform never gets to its checks
  # (nor to the public access block after it).
  expect_failures = [
    data.aws_s3_bucket_policy.live,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}

run "wrong_account_pinned_fails_the_check_the_policy_and_sse" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
  }

  # The drift check's read stops on its account precondition (the mock's random policy is never
  # decoded); the policy does not depend on it and fails its own.
  expect_failures = [
    data.aws_s3_bucket_policy.current,
    aws_s3_bucket_policy.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}

run "wrong_account_restore_fails_policy_and_sse_without_reading" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "restore"
  }

  expect_failures = [
    aws_s3_bucket_policy.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}

run "wrong_account_no_statements_fails_sse_and_pab" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "read"
    deny_cidrs      = []
    enable_tls_only = false
  }

  expect_failures = [
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_s3_bucket_public_access_block.this,
  ]
}

run "wrong_account_sse_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    deny_cidrs                 = []
    enable_tls_only            = false
    enable_public_access_block = false
  }

  expect_failures = [aws_s3_bucket_server_side_encryption_configuration.this]
}

run "wrong_account_pab_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    deny_cidrs                = []
    enable_tls_only           = false
    enable_default_encryption = false
  }

  expect_failures = [aws_s3_bucket_public_access_block.this]
}

run "wrong_account_policy_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy            = "none"
    enable_default_encryption  = false
    enable_public_access_block = false
  }

  expect_failures = [aws_s3_bucket_policy.this]
}

run "right_account_passes" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "none"
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "111122223333" }
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1 && length(aws_s3_bucket_server_side_encryption_configuration.this) == 1 && length(aws_s3_bucket_public_access_block.this) == 1
    error_message = "the right account plans all three resources"
  }
}

run "right_account_pinned_passes" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "111122223333" }
  }

  override_data {
    target = data.aws_s3_bucket_policy.current
    values = { policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}]}" }
  }

  assert {
    condition     = length(data.aws_s3_bucket_policy.current) == 1 && length(aws_s3_bucket_policy.this) == 1 && length(aws_s3_bucket_public_access_block.this) == 1
    error_message = "the right account reads the live policy, and plans the policy and the public access block"
  }
}
