# One guard per bucket named by the findings (switches that no finding asked for are null: off). What comes from findings is data, in tfremedy_data.tf;
# the guard itself is the module under modules/bucket-guard.
module "bucket_guard" {
  source   = "./modules/bucket-guard"
  for_each = local.tfremedy_buckets

  bucket                     = each.key
  account_id                 = each.value.account_id
  existing_policy            = each.value.existing_policy
  baseline_policy            = try(each.value.baseline_policy, null)
  keep_policy                = anytrue([try(contains([true, false], each.value.tls_only), false), can(each.value.deny[0]), can(each.value.ignore_cidrs[0])])
  deny_cidrs                 = each.value.deny[*].cidr
  enable_tls_only            = coalesce(each.value.tls_only, false)
  policy_managed_elsewhere   = can(each.value.managed_elsewhere["policy"])
  enable_default_encryption  = can(each.value.managed_elsewhere["encryption"]) ? false : coalesce(each.value.default_encryption, false)
  sse_algorithm              = each.value.sse_algorithm
  kms_key_arn                = try(coalesce(each.value.kms_key_arn, var.kms_key_arn), null)
  enable_public_access_block = can(each.value.managed_elsewhere["public-access-block"]) ? false : coalesce(each.value.public_access_block, false)
  enable_ownership_controls  = can(each.value.managed_elsewhere["ownership-controls"]) ? false : coalesce(each.value.ownership_controls, false)
  enable_versioning          = can(each.value.managed_elsewhere["versioning"]) ? false : coalesce(each.value.versioning, false)
  access_log_target_bucket   = can(each.value.managed_elsewhere["logging"]) ? null : (coalesce(each.value.access_logging, false) ? module.account_monitor.access_log_bucket_name : null)
  allow_cidrs                = try(each.value.allow_cidrs, [])
  allow_vpce_ids             = try(each.value.allow_vpce_ids, [])
  allow_vpc_ids              = try(each.value.allow_vpc_ids, [])
  break_glass_principal_arns = try(each.value.break_glass_principal_arns, [])
  remove_statements          = try(each.value.remove_statements, [])
}

locals {
  # The alarms match single addresses (CloudTrail logs the caller's IP; a filter pattern cannot match a
  # range): CIDRs of up to 16 addresses are expanded, wider ones are denied but not alarmed on.
  tfremedy_cidr_sizes = {
    ipv4 = { "32" = 1, "31" = 2, "30" = 4, "29" = 8, "28" = 16 }
    ipv6 = { "128" = 1, "127" = 2, "126" = 4, "125" = 8, "124" = 16 }
  }
  tfremedy_blocked_ips = sort(distinct(flatten([
    for b in values(local.tfremedy_buckets) : [
      for c in b.deny[*].cidr : [
        for i in range(lookup(local.tfremedy_cidr_sizes[can(regex(":", c)) ? "ipv6" : "ipv4"], split("/", c)[1], 0)) : cidrhost(c, i)
      ]
    ]
  ])))
}

# Runbook step 5: S3 data events for these buckets, alarms on the blocked IPs and on bucket and trail
# changes, and an alert on the next GuardDuty finding of the same family.
module "account_monitor" {
  source = "./modules/account-monitor"

  account_id               = local.tfremedy_monitor.account_id
  region                   = local.tfremedy_monitor.region
  bucket_names             = keys(local.tfremedy_buckets)
  blocked_ips              = local.tfremedy_blocked_ips
  existing_log_group_name  = local.tfremedy_monitor.existing_log_group
  enable_data_events       = coalesce(local.tfremedy_monitor.data_events, false)
  enable_alarms            = coalesce(local.tfremedy_monitor.alarms, false)
  enable_guardduty_alert   = coalesce(local.tfremedy_monitor.guardduty_alert, false)
  enable_account_public_access_block = coalesce(local.tfremedy_monitor.account_public_access_block, false)
  enable_access_log_target = anytrue([for b in values(local.tfremedy_buckets) : coalesce(b.access_logging, false)])
  log_retention_days       = var.log_retention_days
  alarm_emails             = var.alarm_emails
  guardduty_min_severity   = var.guardduty_min_severity
  guardduty_finding_types = [
{%- for t in guardduty_types %}
    "{{ t }}",
{%- endfor %}
  ]
}

# Runbook step 4: the credentials the caller used (quarantine, key deactivation, session revocation).
module "principal_response" {
  source   = "./modules/principal-response"
  for_each = local.tfremedy_principals

  account_id             = each.value.account_id
  kind                   = each.value.kind
  name                   = each.value.name
  access_key_id          = each.value.access_key_id
  quarantine             = coalesce(each.value.quarantine, false)
  deactivate_key         = coalesce(each.value.deactivate_key, false)
  key_import_in_root     = each.value.key_import_in_root
  require_mfa            = coalesce(each.value.require_mfa, false)
  revoke_sessions        = coalesce(each.value.revoke_sessions, false)
  revoke_sessions_before = each.value.revoke_sessions_before
}
