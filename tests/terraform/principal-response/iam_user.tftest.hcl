# kind = "iam-user": quarantine policy attachment, deactivation of a long-term key (only through an
# import), no key resource for temporary keys, and the optional MFA policy.

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

run "akia_key_without_import_fails_on_the_key_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    access_key_id = "AKIAIOSFODNN7EXAMPLE"
  }

  expect_failures = [aws_iam_access_key.this]
}

run "akia_key_with_import_is_deactivated_and_user_quarantined" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    access_key_id      = "AKIAIOSFODNN7EXAMPLE"
    key_import_in_root = true
  }

  assert {
    condition     = length(aws_iam_access_key.this) == 1 && aws_iam_access_key.this[0].status == "Inactive" && aws_iam_access_key.this[0].user == "example-ci"
    error_message = "the key of example-ci must be set to Inactive"
  }
  assert {
    condition     = aws_iam_access_key.this[0].pgp_key == null
    error_message = "pgp_key forces replacement and must not be set"
  }
  assert {
    condition     = length(aws_iam_user_policy_attachment.quarantine) == 1 && aws_iam_user_policy_attachment.quarantine[0].user == "example-ci"
    error_message = "the quarantine policy must be attached to example-ci"
  }
  assert {
    condition     = aws_iam_user_policy_attachment.quarantine[0].policy_arn == "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"
    error_message = "wrong quarantine policy ARN"
  }
  assert {
    condition     = output.access_key_managed && output.quarantine_policy_arn == "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"
    error_message = "outputs must report the key and the quarantine policy"
  }
  assert {
    condition     = length(aws_iam_user_policy.require_mfa) == 0 && output.mfa_policy_json == null && length(aws_iam_role_policy.revoke_sessions) == 0 && output.revoke_policy_json == null
    error_message = "no MFA policy by default and no role policy for a user"
  }
}

run "imported_key_with_the_right_id_passes_the_postcondition" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    access_key_id      = "AKIAIOSFODNN7EXAMPLE"
    key_import_in_root = true
  }

  override_resource {
    target          = aws_iam_access_key.this[0]
    override_during = plan
    values          = { id = "AKIAIOSFODNN7EXAMPLE" }
  }

  assert {
    condition     = aws_iam_access_key.this[0].id == "AKIAIOSFODNN7EXAMPLE"
    error_message = "the override must be in effect"
  }
}

run "imported_key_with_another_id_fails_the_postcondition" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    access_key_id      = "AKIAIOSFODNN7EXAMPLE"
    key_import_in_root = true
  }

  override_resource {
    target          = aws_iam_access_key.this[0]
    override_during = plan
    values          = { id = "AKIAI44QH8DHBEXAMPLE" }
  }

  expect_failures = [aws_iam_access_key.this]
}

run "deactivate_key_false_keeps_the_key_out" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    access_key_id  = "AKIAIOSFODNN7EXAMPLE"
    deactivate_key = false
  }

  assert {
    condition     = length(aws_iam_access_key.this) == 0 && !output.access_key_managed
    error_message = "deactivate_key = false must not manage the key"
  }
  assert {
    condition     = length(aws_iam_user_policy_attachment.quarantine) == 1
    error_message = "the quarantine still applies"
  }
}

run "asia_key_has_no_key_resource" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    access_key_id = "ASIAIOSFODNN7EXAMPLE"
  }

  # key_import_in_root stays false: had a key resource been planned, its precondition would fail.
  assert {
    condition     = length(aws_iam_access_key.this) == 0 && !output.access_key_managed
    error_message = "a temporary (ASIA) key cannot be deactivated and must not be managed"
  }
  assert {
    condition     = length(aws_iam_user_policy_attachment.quarantine) == 1
    error_message = "the quarantine policy covers temporary credentials"
  }
}

run "no_key" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }

  assert {
    condition     = length(aws_iam_access_key.this) == 0 && !output.access_key_managed
    error_message = "no key id, no key resource"
  }
  assert {
    condition     = length(aws_iam_user_policy_attachment.quarantine) == 1
    error_message = "quarantine is on by default"
  }
}

run "quarantine_off" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    quarantine = false
  }

  assert {
    condition     = length(aws_iam_user_policy_attachment.quarantine) == 0 && output.quarantine_policy_arn == null
    error_message = "quarantine = false attaches nothing"
  }
}

run "nulls_take_the_defaults" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    access_key_id      = "AKIAIOSFODNN7EXAMPLE"
    quarantine         = null
    deactivate_key     = null
    key_import_in_root = null
    require_mfa        = null
  }

  # key_import_in_root = null is false: the key's precondition fails.
  expect_failures = [aws_iam_access_key.this]
}

run "require_mfa_writes_the_documented_policy" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    require_mfa = true
  }

  assert {
    condition     = length(aws_iam_user_policy.require_mfa) == 1 && aws_iam_user_policy.require_mfa[0].user == "example-ci" && aws_iam_user_policy.require_mfa[0].name == "TfremedyRequireMfa"
    error_message = "the MFA policy must be an inline policy of example-ci"
  }
  assert {
    condition     = output.mfa_policy_json == aws_iam_user_policy.require_mfa[0].policy
    error_message = "mfa_policy_json must be the policy"
  }
  assert {
    condition = [for s in jsondecode(aws_iam_user_policy.require_mfa[0].policy).Statement : s if s.Sid == "BlockMostAccessUnlessSignedInWithMFA"] == [{
      Sid    = "BlockMostAccessUnlessSignedInWithMFA"
      Effect = "Deny"
      NotAction = [
        "iam:ChangePassword",
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
        "iam:GetAccountPasswordPolicy",
        "iam:GetMFADevice",
        "iam:GetUser",
        "iam:ListMFADevices",
        "iam:ListVirtualMFADevices",
        "iam:ResyncMFADevice",
        "sts:GetSessionToken",
      ]
      Resource  = "*"
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
    }]
    error_message = "the Deny statement must block everything but MFA self-service without MFA"
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_user_policy.require_mfa[0].policy).Statement : s.Resource if s.Sid == "AllowManageOwnVirtualMFADevice"] == ["arn:aws:iam::*:mfa/*"]
    error_message = "CreateVirtualMFADevice must be scoped to mfa/*"
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_user_policy.require_mfa[0].policy).Statement : s.Resource if s.Sid == "AllowManageOwnUserMFA"] == ["arn:aws:iam::*:user/$${aws:username}"]
    error_message = "MFA device management must be scoped to the user's own ARN through the literal policy variable"
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_user_policy.require_mfa[0].policy).Statement : contains(["Allow"], s.Effect) if s.Sid != "BlockMostAccessUnlessSignedInWithMFA"])
    error_message = "every other statement is an Allow"
  }
  assert {
    condition     = length(aws_iam_user_policy.require_mfa[0].policy) <= 2048
    error_message = "the policy must fit IAM's 2048-character limit for a user's inline policies"
  }
}

run "require_mfa_follows_the_partition" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    require_mfa = true
  }
  override_data {
    target = data.aws_partition.current
    values = { partition = "aws-us-gov" }
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_user_policy.require_mfa[0].policy).Statement : s.Resource if s.Sid == "AllowManageOwnVirtualMFADevice"] == ["arn:aws-us-gov:iam::*:mfa/*"]
    error_message = "ARNs must use the provider's partition"
  }
  assert {
    condition     = aws_iam_user_policy_attachment.quarantine[0].policy_arn == "arn:aws-us-gov:iam::aws:policy/AWSCompromisedKeyQuarantineV3"
    error_message = "the quarantine policy ARN must use the provider's partition"
  }
}

run "require_mfa_over_the_size_limit_fails" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    require_mfa              = true
    inline_policy_size_limit = 500
  }

  expect_failures = [aws_iam_user_policy.require_mfa]
}

run "user_inputs_do_nothing_for_a_role" {
  command = plan
  module {
    source = "../../../templates/tf/modules/principal-response"
  }
  variables {
    kind          = "assumed-role"
    access_key_id = "AKIAIOSFODNN7EXAMPLE"
    require_mfa   = true
  }

  assert {
    condition     = length(aws_iam_access_key.this) == 0 && length(aws_iam_user_policy_attachment.quarantine) == 0 && length(aws_iam_user_policy.require_mfa) == 0
    error_message = "an assumed role gets no user resources"
  }
}
