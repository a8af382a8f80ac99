output "trail_arn" {
  description = "ARN of the trail this module creates, or null when it creates none (existing_log_group_name set or enable_data_events off)."
  value       = local.create_trail ? local.trail_arn : null
}

output "log_group_name" {
  description = "Log group the metric filters read: existing_log_group_name, or the created trail's group; null when there is none."
  value       = local.log_group_name
}

output "alerts_topic_arn" {
  description = "ARN of the alerts SNS topic, or null when neither alarms nor the GuardDuty alert are enabled."
  value       = one(aws_sns_topic.alerts[*].arn)
}

output "metric_filter_patterns" {
  description = "Metric filter key => pattern, for the filters this module creates (empty when it creates none)."
  value       = local.create_alarms ? local.filter_patterns : {}
}

output "selector_value_count" {
  description = "Number of values in the trail's advanced event selectors, as CloudTrail counts them against its limit of 500 (0 when no trail is created)."
  value       = local.create_trail ? local.selector_value_count : 0
}

output "access_log_bucket_name" {
  description = "Name of the access-log bucket (server access log target for the trail log bucket and, with enable_access_log_target, for bucket_names), or null when it is not created."
  value       = one(aws_s3_bucket.access_logs[*].bucket)

  # Known at plan time; a bucket that logs into it (bucket-guard) is applied after the policy
  # that lets logging.s3.amazonaws.com deliver.
  depends_on = [aws_s3_bucket_policy.access_logs]
}
