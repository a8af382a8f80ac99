output "bucket_policies" {
  description = "The resulting policy of each guarded bucket (null where no statement is managed)."
  value       = { for name, guard in module.bucket_guard : name => guard.policy_json }
}

output "alerts_topic_arn" {
  description = "The SNS topic the alarms and the GuardDuty alert publish to: subscribe your on-call tooling."
  value       = module.account_monitor.alerts_topic_arn
}

output "trail_arn" {
  description = "The trail recording the buckets' S3 data events (null when an existing log group is used)."
  value       = module.account_monitor.trail_arn
}
