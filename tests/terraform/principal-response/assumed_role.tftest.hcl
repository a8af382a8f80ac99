# kind = "assumed-role": the IAM console's "Revoke active sessions" statement as an inline role
# policy, only when a time is given, never in the future.

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
  kind       = "assumed-role"
  name       = "example-app"
}

run "revoke_sessions_before_writes_the_console_statement" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    revoke_sessions_before = "2022-01-28T21:12:25Z"
  }

  assert {
    condition     = length(aws_iam_role_policy.revoke_sessions) == 1 && aws_iam_role_policy.revoke_sessions[0].role == "example-app" && aws_iam_role_policy.revoke_sessions[0].name == "TfremedyRevokeOlderSessions"
    error_message = "the revocation policy must be an inline policy of example-app"
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.revoke_sessions[0].policy) == {
      Version = "2012-10-17"
      Statement = [{
        Effect    = "Deny"
        Action    = ["*"]
        Resource  = ["*"]
        Condition = { DateLessThan = { "aws:TokenIssueTime" = "2022-01-28T21:12:25Z" } }
      }]
    }
    error_message = "the policy must be exactly the console's Deny * / DateLessThan aws:TokenIssueTime statement"
  }
  assert {
    condition     = output.revoke_policy_json == aws_iam_role_policy.revoke_sessions[0].policy
    error_message = "revoke_policy_json must be the policy"
  }
  assert {
    condition     = length(aws_iam_user_policy_attachment.quarantine) == 0 && length(aws_iam_access_key.this) == 0 && length(aws_iam_user_policy.require_mfa) == 0
    error_message = "a role gets no user resources"
  }
  assert {
    condition     = output.quarantine_policy_arn == null && output.mfa_policy_json == null && !output.access_key_managed
    error_message = "user outputs must be null / false for a role"
  }
}

run "fractional_seconds_and_a_custom_name" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    revoke_sessions_before = "2024-02-29T23:59:59.123Z"
    revoke_policy_name     = "AWSRevokeOlderSessions"
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.revoke_sessions[0].policy).Statement[0].Condition.DateLessThan["aws:TokenIssueTime"] == "2024-02-29T23:59:59.123Z"
    error_message = "the time must be passed through unchanged"
  }
  assert {
    condition     = aws_iam_role_policy.revoke_sessions[0].name == "AWSRevokeOlderSessions"
    error_message = "revoke_policy_name must name the policy"
  }
}

run "no_time_no_policy" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }

  assert {
    condition     = length(aws_iam_role_policy.revoke_sessions) == 0 && output.revoke_policy_json == null
    error_message = "without revoke_sessions_before nothing is revoked"
  }
}

run "revoke_sessions_false_no_policy" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    revoke_sessions_before = "2022-01-28T21:12:25Z"
    revoke_sessions        = false
  }

  assert {
    condition     = length(aws_iam_role_policy.revoke_sessions) == 0 && output.revoke_policy_json == null
    error_message = "revoke_sessions = false writes nothing"
  }
}

run "future_time_fails" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    revoke_sessions_before = "2999-01-01T00:00:00Z"
  }

  expect_failures = [aws_iam_role_policy.revoke_sessions]
}

run "role_inputs_do_nothing_for_a_user" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    kind                   = "iam-user"
    revoke_sessions_before = "2022-01-28T21:12:25Z"
  }

  assert {
    condition     = length(aws_iam_role_policy.revoke_sessions) == 0
    error_message = "an IAM user gets no role policy"
  }
}
