variable "account_id" {
  description = "AWS account the principal belongs to, per the GuardDuty finding. The plan fails if the provider is authenticated to another account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "tfremedy: account_id must be a 12-digit AWS account id."
  }
}

variable "kind" {
  description = "Type of principal whose credentials the caller used: \"iam-user\" or \"assumed-role\" (root and AWS-service principals get no module instance)."
  type        = string

  validation {
    condition     = contains(["iam-user", "assumed-role"], var.kind)
    error_message = "tfremedy: kind must be \"iam-user\" or \"assumed-role\"."
  }
}

variable "name" {
  description = "IAM user name (kind = \"iam-user\") or IAM role name without its path (kind = \"assumed-role\")."
  type        = string

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,64}$", var.name))
    error_message = "tfremedy: name must be an IAM user or role name: 1 to 64 letters, digits or the characters + = , . @ _ -."
  }
}

# ---- iam-user ----

variable "quarantine" {
  description = "iam-user: attach the AWS managed policy AWSCompromisedKeyQuarantineV3 to the user. It denies most actions to every credential of the user; nothing is deleted."
  type        = bool
  default     = true
  nullable    = false
}

variable "access_key_id" {
  description = "iam-user: access key id from the finding. A long-term key (AKIA...) is deactivated when deactivate_key is true; a temporary one (ASIA...) cannot be and is covered by the quarantine policy. null: no key."
  type        = string
  default     = null

  validation {
    condition     = alltrue([for k in var.access_key_id[*] : can(regex("^(AKIA|ASIA)[A-Z0-9]{16}$", k))])
    error_message = "tfremedy: access_key_id must be an access key id such as AKIAIOSFODNN7EXAMPLE (AKIA or ASIA followed by 16 capital letters or digits), or null."
  }
}

variable "deactivate_key" {
  description = "iam-user: set the long-term access key access_key_id to Inactive (it must be imported, see key_import_in_root)."
  type        = bool
  default     = true
  nullable    = false
}

variable "key_import_in_root" {
  description = "iam-user: set to true once the import block for this principal's access key (root/tfremedy_imports.tf) is in the root module. Until then the plan fails, because without the import Terraform would create a new key for the user."
  type        = bool
  default     = false
  nullable    = false
}

variable "require_mfa" {
  description = "iam-user: add an inline policy that denies everything except MFA self-service unless the request is MFA-authenticated. Off by default: it stops programmatic use without MFA sessions (sts get-session-token)."
  type        = bool
  default     = false
  nullable    = false
}

variable "mfa_policy_name" {
  description = "iam-user: name of the inline MFA policy."
  type        = string
  default     = "TfremedyRequireMfa"
  nullable    = false

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,128}$", var.mfa_policy_name))
    error_message = "tfremedy: mfa_policy_name must be 1 to 128 letters, digits or the characters + = , . @ _ -."
  }
}

# ---- assumed-role ----

variable "revoke_sessions_before" {
  description = "assumed-role: deny every session of the role whose credentials were issued before this time (RFC 3339 UTC, e.g. 2022-01-28T21:12:25Z), as the IAM console's \"Revoke active sessions\" does. null: no revocation."
  type        = string
  default     = null

  validation {
    condition = alltrue([for t in var.revoke_sessions_before[*] : alltrue([
      can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$", t)),
      can(formatdate("YYYY", t)),
    ])])
    error_message = "tfremedy: revoke_sessions_before must be an RFC 3339 UTC time such as 2022-01-28T21:12:25Z, or null."
  }
}

variable "revoke_sessions" {
  description = "assumed-role: write the session revocation policy when revoke_sessions_before is set."
  type        = bool
  default     = true
  nullable    = false
}

variable "revoke_policy_name" {
  description = "assumed-role: name of the inline revocation policy. Not the console's AWSRevokeOlderSessions by default, so that neither overwrites the other (see NOTES.md)."
  type        = string
  default     = "TfremedyRevokeOlderSessions"
  nullable    = false

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,128}$", var.revoke_policy_name))
    error_message = "tfremedy: revoke_policy_name must be 1 to 128 letters, digits or the characters + = , . @ _ -."
  }
}

variable "inline_policy_size_limit" {
  description = "Largest MFA policy, in characters of minified JSON, that the plan accepts. IAM limits the inline policies of a user to 2048 characters in total (whitespace not counted); lower this if the user already has inline policies."
  type        = number
  default     = 2048
  nullable    = false

  validation {
    condition     = contains([var.inline_policy_size_limit], max(1, min(2048, floor(var.inline_policy_size_limit))))
    error_message = "tfremedy: inline_policy_size_limit must be a whole number from 1 to 2048 (the IAM limit for a user's inline policies)."
  }
}
