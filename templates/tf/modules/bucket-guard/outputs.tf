output "policy_json" {
  description = "The bucket policy this module writes (live statements merged with ours), or null when it writes none."
  value       = one(data.aws_iam_policy_document.merged[*].json)
}

output "policy_statement_ids" {
  description = "Sids of the statements this module owns in the bucket policy."
  value       = local.statement_ids
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = local.bucket_arn
}
