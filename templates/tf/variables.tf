variable "kms_key_arn" {
  description = "KMS key for default encryption of the buckets whose entry in tfremedy_data.tf has no kms_key_arn. Null means the AWS-managed aws/s3 key."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention of the trail's CloudWatch Logs group, in days."
  type        = number
  default     = 365
}

variable "alarm_emails" {
  description = "Email addresses subscribed to the alerts topic (each must confirm the subscription)."
  type        = list(string)
  default     = []
}

variable "guardduty_min_severity" {
  description = "Lowest severity of the GuardDuty findings forwarded to the alerts topic (7 = high)."
  type        = number
  default     = 7
}
