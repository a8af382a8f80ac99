# Variable validations (bad and good values).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  account_id = "111122223333"
  kind       = "iam-user"
  name       = "example-ci"
}

run "bad_account_id" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    account_id = "11112222333"
  }

  expect_failures = [var.account_id]
}

run "bad_account_id_letters" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    account_id = "11112222333a"
  }

  expect_failures = [var.account_id]
}

run "bad_kind_root" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    kind = "root"
  }

  expect_failures = [var.kind]
}

run "bad_kind_case" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    kind = "IAM-User"
  }

  expect_failures = [var.kind]
}

run "bad_name_empty" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    name = ""
  }

  expect_failures = [var.name]
}

run "bad_name_too_long" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  }

  expect_failures = [var.name]
}

run "bad_name_path" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    name = "team/example-ci"
  }

  expect_failures = [var.name]
}

run "bad_name_arn" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    name = "arn:aws:iam::111122223333:user/example-ci"
  }

  expect_failures = [var.name]
}

run "bad_access_key_id_lowercase" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    access_key_id = "akiaiosfodnn7example"
  }

  expect_failures = [var.access_key_id]
}

run "bad_access_key_id_short" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    access_key_id = "AKIAIOSFODNN7EXAMPL"
  }

  expect_failures = [var.access_key_id]
}

run "bad_access_key_id_prefix" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    access_key_id = "AIDAIOSFODNN7EXAMPLE"
  }

  expect_failures = [var.access_key_id]
}

run "bad_time_no_zone" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    revoke_sessions_before = "2022-01-28T21:12:25"
  }

  expect_failures = [var.revoke_sessions_before]
}

run "bad_time_offset" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    revoke_sessions_before = "2022-01-28T21:12:25+02:00"
  }

  expect_failures = [var.revoke_sessions_before]
}

run "bad_time_date_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    revoke_sessions_before = "2022-01-28"
  }

  expect_failures = [var.revoke_sessions_before]
}

run "bad_time_month_13" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    revoke_sessions_before = "2022-13-28T21:12:25Z"
  }

  expect_failures = [var.revoke_sessions_before]
}

run "bad_time_space" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    revoke_sessions_before = "2022-01-28 21:12:25Z"
  }

  expect_failures = [var.revoke_sessions_before]
}

run "bad_mfa_policy_name" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    mfa_policy_name = "require mfa"
  }

  expect_failures = [var.mfa_policy_name]
}

run "bad_revoke_policy_name" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    revoke_policy_name = ""
  }

  expect_failures = [var.revoke_policy_name]
}

run "bad_inline_policy_size_limit_zero" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    inline_policy_size_limit = 0
  }

  expect_failures = [var.inline_policy_size_limit]
}

run "bad_inline_policy_size_limit_over_iam" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    inline_policy_size_limit = 2049
  }

  expect_failures = [var.inline_policy_size_limit]
}

run "bad_inline_policy_size_limit_fraction" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    inline_policy_size_limit = 100.5
  }

  expect_failures = [var.inline_policy_size_limit]
}

run "good_user_values" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    name                     = "Example+user=1,x.y@corp_z-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    access_key_id            = "ASIA0123456789ABCDEF"
    mfa_policy_name          = "Require.MFA_1"
    inline_policy_size_limit = 2048
    require_mfa              = true
  }

  assert {
    condition     = length(aws_iam_user_policy_attachment.quarantine) == 1 && length(aws_iam_user_policy.require_mfa) == 1
    error_message = "a 64-character name with every allowed character plans"
  }
}

run "good_role_values" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    kind                   = "assumed-role"
    name                   = "r"
    revoke_sessions_before = "2000-01-01T00:00:00.5Z"
  }

  assert {
    condition     = length(aws_iam_role_policy.revoke_sessions) == 1
    error_message = "a one-character role name and fractional seconds plan"
  }
}
