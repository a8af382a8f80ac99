# Root for `terraform test` (the *.tftest.hcl files here; run by tests/module_behaviour.rs through
# tools/tf-validators/tools/tftest.py) and a validation fixture for validate-tf.sh: it calls the
# account-monitor module the way the generated root does, with inputs shaped like tfremedy_data.tf.
# The other test files test the module on its own through run blocks with a module block.
locals {
  tfremedy_monitor = {
    account_id   = "111122223333"
    region       = "us-east-2"
    bucket_names = ["example-findings-data", "example-findings-archive"]
    blocked_ips  = ["198.51.100.23", "2001:db8::7", "203.0.113.9"]
    guardduty_finding_types = [
      "Discovery:S3/MaliciousIPCaller.Custom",
      "Discovery:S3/MaliciousIPCaller",
    ]
    alarm_emails = ["security@example.com"]
  }
}

module "account_monitor" {
  source = "../../../templates/tf/modules/account-monitor"

  account_id              = local.tfremedy_monitor.account_id
  region                  = local.tfremedy_monitor.region
  bucket_names            = local.tfremedy_monitor.bucket_names
  blocked_ips             = local.tfremedy_monitor.blocked_ips
  guardduty_finding_types = local.tfremedy_monitor.guardduty_finding_types
  alarm_emails            = local.tfremedy_monitor.alarm_emails
}

output "metric_filter_patterns" {
  value = module.account_monitor.metric_filter_patterns
}

output "selector_value_count" {
  value = module.account_monitor.selector_value_count
}
