# Root for `terraform test` (the *.tftest.hcl files here; run by tests/module_behaviour.rs through
# tools/tf-validators/tools/tftest.py) and a validation fixture for validate-tf.sh: it calls the
# bucket-guard module the way the generated root does, with a local map shaped like tfremedy_data.tf.
# The other test files test the module on its own through run blocks with a module block.
locals {
  tfremedy_buckets = {
    # Pinned: the policy as reviewed, with AWS's TLS statement (a number in its condition).
    "example-findings-data" = {
      account_id      = "111122223333"
      existing_policy = "pinned"
      baseline_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"EnforceTLSv12orHigher\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-findings-data/*\",\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":1.2}}}]}"
      keep_policy     = true
      deny_cidrs      = ["198.51.100.23/32", "2001:db8::7/128"]
      sse_algorithm   = null
    }
    "example-findings-archive" = {
      account_id      = "111122223333"
      existing_policy = "none"
      deny_cidrs      = []
      sse_algorithm   = "aws:kms:dsse"
    }
    # The allow-list keys are only written for buckets that have one (tfremedy_data.tf).
    "example-findings-allowlisted" = {
      account_id                 = "111122223333"
      existing_policy            = "none"
      deny_cidrs                 = []
      sse_algorithm              = null
      allow_cidrs                = ["203.0.113.0/24"]
      allow_vpce_ids             = ["vpce-0abc"]
      allow_vpc_ids              = []
      break_glass_principal_arns = ["arn:aws:iam::111122223333:role/BreakGlass"]
    }
  }
}

module "bucket_guard" {
  source   = "../../../templates/tf/modules/bucket-guard"
  for_each = local.tfremedy_buckets

  bucket          = each.key
  account_id      = each.value.account_id
  existing_policy = each.value.existing_policy
  baseline_policy = try(each.value.baseline_policy, null)
  keep_policy     = try(each.value.keep_policy, false)
  deny_cidrs      = each.value.deny_cidrs
  sse_algorithm   = each.value.sse_algorithm

  allow_cidrs                = try(each.value.allow_cidrs, [])
  allow_vpce_ids             = try(each.value.allow_vpce_ids, [])
  allow_vpc_ids              = try(each.value.allow_vpc_ids, [])
  break_glass_principal_arns = try(each.value.break_glass_principal_arns, [])
  remove_statements          = try(each.value.remove_statements, [])
}

output "policy_statement_ids" {
  value = { for k, m in module.bucket_guard : k => m.policy_statement_ids }
}

output "policy_json" {
  value = { for k, m in module.bucket_guard : k => m.policy_json }
}
