output "quarantine_policy_arn" {
  description = "ARN of the AWS managed quarantine policy attached to the user, or null when none is attached."
  value       = one(aws_iam_user_policy_attachment.quarantine[*].policy_arn)
}

output "access_key_managed" {
  description = "Whether this module manages (deactivates) the long-term access key access_key_id."
  value       = local.manage_key
}

output "revoke_policy_json" {
  description = "The session revocation policy written to the role, or null when none is written."
  value       = one(aws_iam_role_policy.revoke_sessions[*].policy)
}

output "mfa_policy_json" {
  description = "The MFA policy written to the user, or null when none is written."
  value       = one(aws_iam_user_policy.require_mfa[*].policy)
}
