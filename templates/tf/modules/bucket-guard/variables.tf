variable "bucket" {
  description = "Name of the existing S3 bucket the GuardDuty finding is about."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9._-]+$", var.bucket))
    error_message = "tfremedy: bucket must be a non-empty S3 bucket name made of letters, digits, '.', '_' and '-'."
  }
}

variable "account_id" {
  description = "AWS account the bucket belongs to, per the GuardDuty finding. The plan fails if the provider is authenticated to another account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "tfremedy: account_id must be a 12-digit AWS account id."
  }
}

variable "existing_policy" {
  description = "What the bucket's policy was when this change was reviewed: \"pinned\" (baseline_policy holds it; the plan stops if the live policy has changed since), \"restore\" (the same without reading the live policy: for a policy deleted since the review), \"none\" (it had none), \"read\" (set by hand: the live policy is read at plan time and kept, unchecked) or \"unknown\" (the plan fails until someone checks)."
  type        = string
  default     = "unknown"
  nullable    = false

  validation {
    condition     = contains(["unknown", "none", "pinned", "restore", "read"], var.existing_policy)
    error_message = "tfremedy: existing_policy must be one of \"unknown\", \"none\", \"pinned\", \"restore\" or \"read\"."
  }
}

variable "baseline_policy" {
  description = "The bucket policy as reviewed (JSON), with existing_policy = \"pinned\" or \"restore\": the document this module writes is this one with tfremedy's statements appended; null otherwise."
  type        = string
  default     = null

  validation {
    condition     = alltrue([for t in var.baseline_policy[*] : can(jsondecode(t).Statement)])
    error_message = "tfremedy: baseline_policy must be a JSON policy document with a Statement."
  }
}

variable "keep_policy" {
  description = "tfremedy's statements have been in this bucket policy (a policy fix was asked for): when they are all switched off, the baseline is written alone instead of the policy being destroyed."
  type        = bool
  default     = false
  nullable    = false
}

variable "deny_cidrs" {
  description = "Source addresses to deny on the bucket, as CIDRs (IPv4 and IPv6 may be mixed). Empty: no deny statement."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.deny_cidrs : can(cidrhost(c, 0))])
    error_message = "tfremedy: every deny_cidrs entry must be a CIDR such as 198.51.100.7/32 or 2001:db8::1/128 (a bare address needs /32 or /128)."
  }
}

variable "enable_tls_only" {
  description = "Deny requests that do not use TLS, or use a TLS version below min_tls_version."
  type        = bool
  default     = true
  nullable    = false
}

variable "min_tls_version" {
  description = "Lowest TLS version accepted when enable_tls_only is true (compared numerically with s3:TlsVersion)."
  type        = string
  default     = "1.2"
  nullable    = false

  validation {
    condition     = can(regex("^1\\.[0-3]$", var.min_tls_version))
    error_message = "tfremedy: min_tls_version must be one of \"1.0\", \"1.1\", \"1.2\" or \"1.3\"."
  }
}

variable "policy_size_limit" {
  description = "Largest merged bucket policy, in bytes of minified JSON, that the plan accepts (S3 rejects policies over 20 KB)."
  type        = number
  default     = 20480
  nullable    = false

  validation {
    condition     = contains([var.policy_size_limit], max(1, min(20480, floor(var.policy_size_limit))))
    error_message = "tfremedy: policy_size_limit must be a whole number from 1 to 20480 (the S3 bucket policy limit)."
  }
}

variable "enable_default_encryption" {
  description = "Manage the bucket's default encryption (SSE-KMS or DSSE-KMS)."
  type        = bool
  default     = true
  nullable    = false
}

variable "sse_algorithm" {
  description = "Default encryption algorithm: \"aws:kms\" (SSE-KMS, with an S3 Bucket Key) or \"aws:kms:dsse\" (DSSE-KMS)."
  type        = string
  default     = "aws:kms"
  nullable    = false

  validation {
    condition     = contains(["aws:kms", "aws:kms:dsse"], var.sse_algorithm)
    error_message = "tfremedy: sse_algorithm must be \"aws:kms\" or \"aws:kms:dsse\"."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for default encryption. null: the AWS managed key aws/s3 (same-account access only)."
  type        = string
  default     = null

  validation {
    condition     = alltrue([for k in var.kms_key_arn[*] : can(regex("^arn:[a-z-]+:kms:", k))])
    error_message = "tfremedy: kms_key_arn must be a KMS key or alias ARN (arn:<partition>:kms:...), or null."
  }
}

variable "enable_public_access_block" {
  description = "Manage the bucket's S3 Block Public Access settings, all four set to true."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_ownership_controls" {
  description = "Set S3 Object Ownership to BucketOwnerEnforced: ACLs are disabled, the bucket owner owns every object, and existing ACL grants stop counting."
  type        = bool
  default     = false
  nullable    = false
}

variable "enable_versioning" {
  description = "Turn S3 Versioning on (status \"Enabled\"). Switching it off later is refused by the plan (prevent_destroy): see NOTES.md."
  type        = bool
  default     = false
  nullable    = false
}

variable "access_log_target_bucket" {
  description = "Bucket (same account and region) that receives this bucket's S3 server access logs; its bucket policy must allow logging.s3.amazonaws.com. null: server access logging is not managed."
  type        = string
  default     = null

  validation {
    condition     = alltrue([for b in var.access_log_target_bucket[*] : can(regex("^[a-zA-Z0-9._-]{1,255}$", b))])
    error_message = "tfremedy: access_log_target_bucket must be null or an S3 bucket name made of letters, digits, '.', '_' and '-'."
  }
}

variable "access_log_prefix" {
  description = "Key prefix of the server access log objects in access_log_target_bucket. null: \"s3-access-logs/<bucket>/\"."
  type        = string
  default     = null

  validation {
    condition     = alltrue([for p in var.access_log_prefix[*] : can(regex("^[^[:cntrl:]]{0,512}$", p))])
    error_message = "tfremedy: access_log_prefix must be null or at most 512 characters with no control characters."
  }
}

variable "allow_cidrs" {
  description = "Opt-in allow-list: deny every request to the bucket whose source address is outside these CIDRs, except VPC endpoint traffic (allow_vpce_ids, allow_vpc_ids), AWS services and break_glass_principal_arns. Empty: no allow-list. Needs break_glass_principal_arns, and a VPC exemption or allow_no_vpc_exemption."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.allow_cidrs : can(cidrhost(c, 0))])
    error_message = "tfremedy: every allow_cidrs entry must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32 (a bare address needs /32 or /128)."
  }
}

variable "allow_vpce_ids" {
  description = "VPC endpoint ids (vpce-...) whose requests the allow-list lets through (aws:SourceVpce). Requests through a VPC endpoint carry no public source address."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for v in var.allow_vpce_ids : can(regex("^vpce-[0-9a-f]+$", v))])
    error_message = "tfremedy: every allow_vpce_ids entry must be a VPC endpoint id such as vpce-0a1b2c3d4e5f67890."
  }
}

variable "allow_vpc_ids" {
  description = "VPC ids (vpc-...) whose requests through any VPC endpoint the allow-list lets through (aws:SourceVpc)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for v in var.allow_vpc_ids : can(regex("^vpc-[0-9a-f]+$", v))])
    error_message = "tfremedy: every allow_vpc_ids entry must be a VPC id such as vpc-0a1b2c3d4e5f67890."
  }
}

variable "allow_no_vpc_exemption" {
  description = "Set to true to accept an allow-list that also denies every request through a VPC endpoint (no allow_vpce_ids and no allow_vpc_ids). Without it such a plan fails."
  type        = bool
  default     = false
  nullable    = false
}

variable "break_glass_principal_arns" {
  description = "IAM role or user ARNs (aws:PrincipalArn, ArnLike wildcards allowed) that the allow-list never denies, so someone can still fix the bucket policy from anywhere. Required when allow_cidrs is set."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.break_glass_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/", a))])
    error_message = "tfremedy: every break_glass_principal_arns entry must be an IAM role or user ARN such as arn:aws:iam::111122223333:role/BreakGlass."
  }
}

variable "remove_statements" {
  description = "Statements to leave out of the live bucket policy (tfremedy harden --remove-public), each as jsonencode writes it (keys sorted, no spaces). One that is not in the live policy is ignored, so a statement put back by hand is removed again at the next apply. Not used with existing_policy = \"none\"."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "policy_managed_elsewhere" {
  description = "The bucket policy is managed by other Terraform code (tfremedy --terraform-dir found it): no aws_s3_bucket_policy is created here; compose output statements_json into that policy instead."
  type        = bool
  default     = false
  nullable    = false
}
