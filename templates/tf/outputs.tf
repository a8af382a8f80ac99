output "bucket_policies" {
  description = "The resulting policy of each guarded bucket (null where no statement is managed)."
  value       = { for name, guard in module.bucket_guard : name => guard.policy_json }
}
