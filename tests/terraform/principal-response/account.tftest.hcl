# A provider authenticated to another account than the finding's: every resource refuses to plan.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "444455556666" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  account_id = "111122223333"
}

run "wrong_account_fails_every_user_resource" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    kind               = "iam-user"
    name               = "example-ci"
    access_key_id      = "AKIAIOSFODNN7EXAMPLE"
    key_import_in_root = true
    require_mfa        = true
  }

  expect_failures = [
    aws_iam_user_policy_attachment.quarantine,
    aws_iam_access_key.this,
    aws_iam_user_policy.require_mfa,
  ]
}

run "wrong_account_fails_the_key_alone" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    kind               = "iam-user"
    name               = "example-ci"
    access_key_id      = "AKIAIOSFODNN7EXAMPLE"
    key_import_in_root = true
    quarantine         = false
  }

  expect_failures = [aws_iam_access_key.this]
}

run "wrong_account_fails_the_mfa_policy_alone" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    kind        = "iam-user"
    name        = "example-ci"
    quarantine  = false
    require_mfa = true
  }

  expect_failures = [aws_iam_user_policy.require_mfa]
}

run "wrong_account_fails_the_revocation" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    kind                   = "assumed-role"
    name                   = "example-app"
    revoke_sessions_before = "2022-01-28T21:12:25Z"
  }

  expect_failures = [aws_iam_role_policy.revoke_sessions]
}

run "right_account_passes" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    kind               = "iam-user"
    name               = "example-ci"
    access_key_id      = "AKIAIOSFODNN7EXAMPLE"
    key_import_in_root = true
    require_mfa        = true
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "111122223333" }
  }

  assert {
    condition     = length(aws_iam_user_policy_attachment.quarantine) == 1 && length(aws_iam_access_key.this) == 1 && length(aws_iam_user_policy.require_mfa) == 1
    error_message = "the right account plans all three user resources"
  }
}
