variable "account_id" {
  description = "AWS account the buckets belong to, per the GuardDuty finding. The plan fails if the provider is authenticated to another account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "tfremedy: account_id must be a 12-digit AWS account id."
  }
}

variable "region" {
  description = "Region of the provider (the trail's home region). Needed as a known string for the trail ARN in the key and bucket policies; the plan fails if the provider is configured for another region."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "tfremedy: region must be an AWS region name such as us-east-1 or us-gov-west-1."
  }
}

variable "name_prefix" {
  description = "Prefix of every name this module creates (trail, buckets, log group, role, keys' aliases, topic, rule, filters, alarms)."
  type        = string
  default     = "tfremedy"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9-]{1,32}$", var.name_prefix))
    error_message = "tfremedy: name_prefix must be 1 to 32 characters of a-z, 0-9 and '-'."
  }

  # Bucket names must start with a letter or digit.
  validation {
    condition     = can(regex("^[a-z0-9]", var.name_prefix))
    error_message = "tfremedy: name_prefix must start with a letter or a digit (it starts S3 bucket names)."
  }
}

variable "bucket_names" {
  description = "The buckets named in the GuardDuty findings: S3 data events are logged for their objects, and changes to their public access block, encryption and logging raise an alarm."
  type        = list(string)
  nullable    = false

  validation {
    # Legacy names (capitals, underscores, up to 255 characters; us-east-1 before March 2018) still exist.
    condition     = alltrue([for b in var.bucket_names : can(regex("^[a-zA-Z0-9._-]{1,255}$", b))])
    error_message = "tfremedy: every bucket_names entry must be an S3 bucket name (letters, digits, '.', '_' and '-')."
  }
}

variable "blocked_ips" {
  description = "Addresses from the GuardDuty threat list, as plain IPv4 or IPv6 addresses in canonical form (no prefix length). Any S3 API call from one of them raises an alarm."
  type        = list(string)
  default     = []
  nullable    = false

  # cidrhost() returns the canonical text of the address; CloudTrail writes sourceIPAddress the
  # same way and metric filters compare strings, so a non-canonical form would never match.
  validation {
    condition = alltrue([
      for ip in var.blocked_ips : anytrue([
        contains([try(cidrhost("${ip}/32", 0), "")], ip),
        contains([try(cidrhost("${ip}/128", 0), "")], ip),
      ])
    ])
    error_message = "tfremedy: every blocked_ips entry must be a plain IPv4 or IPv6 address in canonical form, such as 198.51.100.7 or 2001:db8::7 (no /32 or /128, lower case, no leading zeros)."
  }
}

variable "existing_log_group_name" {
  description = "Name of an existing CloudWatch Logs group that already receives CloudTrail management (and ideally S3 data) events, such as an organisation trail's group. Set: no trail, log bucket, trail key, role or log group is created and the metric filters attach to this group. null: the module creates them."
  type        = string
  default     = null

  validation {
    condition     = alltrue([for g in var.existing_log_group_name[*] : can(regex("^[A-Za-z0-9._/#-]{1,512}$", g))])
    error_message = "tfremedy: existing_log_group_name must be null or a CloudWatch Logs group name (1 to 512 characters of A-Z, a-z, 0-9, '.', '_', '-', '/' and '#')."
  }
}

variable "log_retention_days" {
  description = "Retention of the trail's log group, in days (one of the values CloudWatch Logs accepts; 0 keeps events forever)."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "tfremedy: log_retention_days must be one of 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "log_bucket_expiration_days" {
  description = "Days after which trail log files (and their noncurrent versions) are deleted from the log bucket."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = alltrue([contains([floor(var.log_bucket_expiration_days)], var.log_bucket_expiration_days), contains([var.log_bucket_expiration_days], max(1, var.log_bucket_expiration_days))])
    error_message = "tfremedy: log_bucket_expiration_days must be a whole number of at least 1."
  }
}

variable "alarm_emails" {
  description = "Addresses that get an SNS email subscription to the alerts topic (each must confirm it)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", e))])
    error_message = "tfremedy: every alarm_emails entry must be an email address."
  }
}

variable "guardduty_finding_types" {
  description = "GuardDuty finding types that the EventBridge rule forwards to the alerts topic, e.g. Discovery:S3/MaliciousIPCaller.Custom."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for t in var.guardduty_finding_types : can(regex("^[A-Za-z0-9]+:[A-Za-z0-9]+/[^[:space:]]+$", t))])
    error_message = "tfremedy: every guardduty_finding_types entry must be a GuardDuty finding type such as Discovery:S3/MaliciousIPCaller.Custom."
  }
}

variable "guardduty_min_severity" {
  description = "Lowest GuardDuty severity (0 to 10) the EventBridge rule forwards."
  type        = number
  default     = 7
  nullable    = false

  validation {
    condition     = contains([var.guardduty_min_severity], max(0, min(10, var.guardduty_min_severity)))
    error_message = "tfremedy: guardduty_min_severity must be from 0 to 10."
  }
}

variable "enable_data_events" {
  description = "Create a trail (with its log bucket, key, log group and role) that logs S3 data events on bucket_names and management write events. Ignored when existing_log_group_name is set."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_alarms" {
  description = "Create the metric filters and alarms on the log group (created or existing)."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_guardduty_alert" {
  description = "Create an EventBridge rule that sends matching GuardDuty findings to the alerts topic."
  type        = bool
  default     = true
  nullable    = false
}

variable "ip_filter_chunk_size" {
  description = "Addresses per IP metric filter. 14 IPv6 addresses of 39 characters keep a pattern under CloudWatch Logs' 1024-character limit."
  type        = number
  default     = 14
  nullable    = false

  validation {
    condition     = contains([var.ip_filter_chunk_size], max(1, min(14, floor(var.ip_filter_chunk_size))))
    error_message = "tfremedy: ip_filter_chunk_size must be a whole number from 1 to 14."
  }
}

variable "bucket_filter_chunk_size" {
  description = "Buckets per bucket-configuration metric filter. 7 buckets of 63 characters keep a pattern under CloudWatch Logs' 1024-character limit."
  type        = number
  default     = 6
  nullable    = false

  validation {
    condition     = contains([var.bucket_filter_chunk_size], max(1, min(7, floor(var.bucket_filter_chunk_size))))
    error_message = "tfremedy: bucket_filter_chunk_size must be a whole number from 1 to 7."
  }
}

variable "enable_account_public_access_block" {
  description = "Turn on S3 Block Public Access for the whole account (all four settings). It overrides every bucket's own settings: any bucket that is public on purpose (website, public dataset) stops being public."
  type        = bool
  default     = false
  nullable    = false
}

variable "enable_access_log_target" {
  description = "Create the access-log bucket (also without a trail) and let it receive the S3 server access logs of bucket_names (logging.s3.amazonaws.com, this account only). Its name is the access_log_bucket_name output."
  type        = bool
  default     = false
  nullable    = false
}
