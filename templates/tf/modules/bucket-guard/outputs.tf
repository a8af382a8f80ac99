output "policy_json" {
  description = "The bucket policy this module writes (the baseline's statements with ours appended, as jsonencode writes it), or null when it writes none."
  value       = local.manage_policy ? local.policy_json : null
}

output "manages" {
  description = "Which of the bucket's settings this guard manages (false where they are off, or managed by other code)."
  value = {
    policy              = local.manage_policy
    encryption          = var.enable_default_encryption
    public_access_block = var.enable_public_access_block
    ownership_controls  = var.enable_ownership_controls
    versioning          = var.enable_versioning
    logging             = local.access_logging
  }
}

output "statements_json" {
  description = "tfremedy's statements for this bucket as one policy document (null when there are none), for a bucket policy managed elsewhere to compose through source_policy_documents."
  value       = local.has_statements ? jsonencode({ Version = "2012-10-17", Statement = local.our_statements }) : null
}

output "removed_statements" {
  description = "Statements of the live bucket policy that this plan leaves out (remove_statements found in it), as jsonencode writes them."
  value       = local.removed_statements
}

output "policy_statement_ids" {
  description = "Sids of the statements this module owns in the bucket policy."
  value       = local.statement_ids
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = local.bucket_arn
}

output "versioning_enabled" {
  description = "Whether this module turns S3 Versioning on for the bucket (enable_versioning)."
  value       = var.enable_versioning
}

output "access_log_target" {
  description = "Bucket that receives this bucket's server access logs through this module, or null when the module does not manage logging."
  value       = var.access_log_target_bucket
}
