output "bucket_policies" {
  description = "The resulting policy of each guarded bucket (null where no statement is managed)."
  value       = { for name, guard in module.bucket_guard : name => guard.policy_json }
}

output "guarded_settings" {
  description = "Per bucket, which settings this change manages (false where off, or managed by your own code: see tfremedy_data.tf managed_elsewhere)."
  value       = { for name, guard in module.bucket_guard : name => guard.manages }
}

output "policy_documents" {
  description = "tfremedy's statements per bucket as a policy document (null where none): a bucket policy your own code manages composes it with source_policy_documents (see PULL_REQUEST.md)."
  value       = { for name, guard in module.bucket_guard : name => guard.statements_json }
}

output "access_log_bucket" {
  description = "The hardened bucket that receives the guarded buckets' server access logs."
  value       = module.account_monitor.access_log_bucket_name
}

output "alerts_topic_arn" {
  description = "The SNS topic the alarms and the GuardDuty alert publish to: subscribe your on-call tooling."
  value       = module.account_monitor.alerts_topic_arn
}

output "trail_arn" {
  description = "The trail recording the buckets' S3 data events (null when an existing log group is used)."
  value       = module.account_monitor.trail_arn
}
