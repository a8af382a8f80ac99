# A provider authenticated to another account than the finding's: every resource (and the read of
# the live policy) refuses to plan.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "444455556666" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  bucket     = "example-bucket"
  account_id = "111122223333"
  deny_cidrs = ["198.51.100.7/32"]
}

run "wrong_account_none_fails_policy_sse_and_pab" {
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
    aws_s3_bucket_public_access_block.this,
  ]
}

run "wrong_account_unknown_fails_policy_sse_and_pab_without_reading" {
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
    aws_s3_bucket_public_access_block.this,
  ]
}

run "wrong_account_read_fails_the_read_sse_and_pab" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "read"
  }

  # aws_s3_bucket_policy.this depends on the failed read, so Terraform never gets to its checks.
  expect_failures = [
    data.aws_s3_bucket_policy.live,
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_s3_bucket_public_access_block.this,
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
