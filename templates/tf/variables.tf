variable "kms_key_arn" {
  description = "KMS key for default encryption of the buckets whose entry in tfremedy_data.tf has no kms_key_arn. Null means the AWS-managed aws/s3 key."
  type        = string
  default     = null
}
