# s3-data-events: a trail that logs S3 data events on the affected buckets' objects plus
# management write events, delivered encrypted to a log bucket and to a log group that the
# metric filters read. Only when enable_data_events is on and no existing group is given.
#
# Cost: data events are billed per event ($0.10 per 100,000) and an account's second copy of
# management events too ($2.00 per 100,000). So the data selector names only the buckets from the
# findings (never all of S3), and the management selector keeps only write events, which is all
# that the CIS and bucket-configuration filters match. An organisation trail that already
# delivers to CloudWatch Logs avoids the second copy: pass its group as existing_log_group_name.

data "aws_iam_policy_document" "trail_key" {
  count = local.create_trail ? 1 : 0
  # In a key policy the resource "*" means "this key"; nothing else can be named there.
  #checkov:skip=CKV_AWS_109:key policy: resource "*" is this key only, and the only unconditioned grant is the account root (delegation to IAM)
  #checkov:skip=CKV_AWS_111:key policy: resource "*" is this key only; service grants are bound to this trail / log group by conditions
  #checkov:skip=CKV_AWS_356:key policy: resource "*" is this key only

  statement {
    sid       = "EnableIamPolicies"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudTrailEncryptLogs"
    actions   = ["kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = [local.trail_arn_like]
    }
  }

  statement {
    sid       = "CloudTrailDescribeKey"
    actions   = ["kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid = "CloudWatchLogsEncryptLogGroup"
    # AWS's example lists kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and
    # kms:Describe* under this condition; these are the key-level actions those wildcards stand
    # for. kms:Describe* is left out: DescribeKey has no encryption context, so under this
    # condition it could never be allowed (and DescribeCustomKeyStores is not a key action).
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:GenerateDataKeyPair",
      "kms:GenerateDataKeyPairWithoutPlaintext",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.${local.dns_suffix}"]
    }

    condition {
      # An exact ARN: StringEquals matches what ArnEquals/ArnLike would (the key is String-typed).
      test     = "StringEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [local.trail_group_arn]
    }
  }

  statement {
    sid       = "AccountDecryptTrailLogs"
    actions   = ["kms:Decrypt", "kms:ReEncryptFrom"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = [local.trail_arn_like]
    }
  }
}

resource "aws_kms_key" "trail" {
  count                   = local.create_trail ? 1 : 0
  description             = "tfremedy ${var.name_prefix}: CloudTrail log files, the trail log bucket and the trail log group"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.trail_key[0].json

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
    precondition {
      condition     = local.region_ok
      error_message = local.region_error
    }
  }
}

# --- log bucket ----------------------------------------------------------------------------------

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_144:cross-region replication would need a second bucket, key and role per account; the same events are in the log group, and a durable independent copy belongs in an organisation log-archive account (existing_log_group_name mode)
  #checkov:skip=CKV_AWS_143:tampering is detected by CloudTrail log file integrity validation (digest files); Object Lock cannot be turned off again and would block the lifecycle expiry and the removal of this remediation module; WORM retention belongs in an organisation log-archive account
  #checkov:skip=CKV2_AWS_62:nothing consumes bucket notifications; alerting is done by metric filters on the trail's log group
  count  = local.create_trail ? 1 : 0
  bucket = local.log_bucket_name

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
    precondition {
      condition     = local.bucket_names_fit
      error_message = "tfremedy: bucket names ${local.log_bucket_name} (${length(local.log_bucket_name)} characters) and ${local.access_bucket_name} (${length(local.access_bucket_name)}) must be at most 63 characters; shorten name_prefix."
    }
  }
}

resource "aws_s3_bucket_versioning" "logs" {
  count  = local.create_trail ? 1 : 0
  bucket = aws_s3_bucket.logs[0].id

  versioning_configuration {
    status = "Enabled"
  }

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  count  = local.create_trail ? 1 : 0
  bucket = aws_s3_bucket.logs[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.trail[0].arn
    }
    bucket_key_enabled = true
  }

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  count                   = local.create_trail ? 1 : 0
  bucket                  = aws_s3_bucket.logs[0].id
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

resource "aws_s3_bucket_ownership_controls" "logs" {
  count  = local.create_trail ? 1 : 0
  bucket = aws_s3_bucket.logs[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  count  = local.create_trail ? 1 : 0
  bucket = aws_s3_bucket.logs[0].id

  rule {
    id     = "expire-trail-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.log_bucket_expiration_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.log_bucket_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  # Versioning must be on before a noncurrent-version rule is accepted.
  depends_on = [aws_s3_bucket_versioning.logs]

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

data "aws_iam_policy_document" "logs_bucket" {
  count = local.create_trail ? 1 : 0

  statement {
    sid       = "AWSCloudTrailAclCheck"
    actions   = ["s3:GetBucketAcl"]
    resources = [local.log_bucket_arn]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "AWSCloudTrailWrite"
    actions   = ["s3:PutObject"]
    resources = ["${local.log_bucket_arn}/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-acl"
      values   = ["bucket-owner-full-control"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  # CloudTrail always delivers over TLS, so this deny never blocks it.
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.log_bucket_arn, "${local.log_bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  count  = local.create_trail ? 1 : 0
  bucket = aws_s3_bucket.logs[0].id
  policy = data.aws_iam_policy_document.logs_bucket[0].json

  # With block_public_policy the put is checked against the public access block; order them.
  depends_on = [aws_s3_bucket_public_access_block.logs]

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

# --- server access logs of the log bucket and of the affected buckets ------------------------------
# Who read the trail's log files is itself audit data: S3 server access logs of the log bucket go
# to a second bucket. With enable_access_log_target the same bucket also receives the server access
# logs of bucket_names (bucket-guard's access_log_target_bucket), with or without a trail. It is
# the end of the chain (see the skips below).

resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_18:end of the logging chain: it only receives server access logs (policy: logging.s3.amazonaws.com from the trail log bucket and bucket_names of this account only); logging it into itself would log every log delivery, and a third bucket would have the same finding
  #checkov:skip=CKV_AWS_145:S3 server access logging cannot deliver to a bucket whose default encryption is SSE-KMS; it uses SSE-S3
  #checkov:skip=CKV_AWS_144:cross-region replication would need a second bucket and role per account; a durable independent copy belongs in an organisation log-archive account
  #checkov:skip=CKV_AWS_143:Object Lock cannot be turned off again and would block the lifecycle expiry and the removal of this remediation module; WORM retention belongs in an organisation log-archive account
  #checkov:skip=CKV2_AWS_62:nothing consumes bucket notifications on the access-log bucket
  count  = local.create_access_log_bucket ? 1 : 0
  bucket = local.access_bucket_name

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
    precondition {
      condition     = local.bucket_names_fit
      error_message = "tfremedy: bucket names ${local.log_bucket_name} (${length(local.log_bucket_name)} characters) and ${local.access_bucket_name} (${length(local.access_bucket_name)}) must be at most 63 characters; shorten name_prefix."
    }
  }
}

resource "aws_s3_bucket_versioning" "access_logs" {
  count  = local.create_access_log_bucket ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id

  versioning_configuration {
    status = "Enabled"
  }

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  count  = local.create_access_log_bucket ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  count                   = local.create_access_log_bucket ? 1 : 0
  bucket                  = aws_s3_bucket.access_logs[0].id
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

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  count  = local.create_access_log_bucket ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  count  = local.create_access_log_bucket ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.log_bucket_expiration_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.log_bucket_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.access_logs]

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

data "aws_iam_policy_document" "access_logs_bucket" {
  count = local.create_access_log_bucket ? 1 : 0

  statement {
    sid       = "S3ServerAccessLogsPolicy"
    actions   = ["s3:PutObject"]
    resources = ["${local.access_bucket_arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    # The trail's log bucket (when there is a trail) and the affected buckets.
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = local.access_log_source_arns
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.access_bucket_arn, "${local.access_bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  count  = local.create_access_log_bucket ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id
  policy = data.aws_iam_policy_document.access_logs_bucket[0].json

  depends_on = [aws_s3_bucket_public_access_block.access_logs]

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
    # An empty aws:SourceArn list would be a statement that allows nothing (or a MalformedPolicy).
    precondition {
      condition     = can(local.access_log_source_arns[0])
      error_message = "tfremedy: enable_access_log_target is on but there is nothing to log: bucket_names is empty and no trail is created. Add the buckets or turn enable_access_log_target off."
    }
    precondition {
      condition     = contains([local.bucket_policy_limit], max(local.bucket_policy_limit, local.access_logs_policy_bytes))
      error_message = "tfremedy: the access-log bucket policy is ${local.access_logs_policy_bytes} bytes (${length(local.access_log_source_arns)} source bucket ARNs), over S3's limit of ${local.bucket_policy_limit}. Split bucket_names over several module calls with different name_prefix values."
    }
  }
}

resource "aws_s3_bucket_logging" "logs" {
  count         = local.create_trail ? 1 : 0
  bucket        = aws_s3_bucket.logs[0].id
  target_bucket = aws_s3_bucket.access_logs[0].id
  target_prefix = "${local.log_bucket_name}/"

  depends_on = [aws_s3_bucket_policy.access_logs]

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

# --- CloudWatch Logs delivery --------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "trail" {
  count             = local.create_trail ? 1 : 0
  name              = local.trail_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.trail[0].arn

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

data "aws_iam_policy_document" "trail_assume" {
  count = local.create_trail ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }
}

resource "aws_iam_role" "trail" {
  count              = local.create_trail ? 1 : 0
  name               = "${var.name_prefix}-s3-monitor-trail-to-logs"
  description        = "tfremedy: lets the ${local.trail_name} trail deliver to ${local.trail_group_name}"
  assume_role_policy = data.aws_iam_policy_document.trail_assume[0].json

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

data "aws_iam_policy_document" "trail_to_logs" {
  count = local.create_trail ? 1 : 0

  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.trail_streams_arn]
  }
}

resource "aws_iam_role_policy" "trail" {
  count  = local.create_trail ? 1 : 0
  name   = "cloudtrail-to-cloudwatch-logs"
  role   = aws_iam_role.trail[0].id
  policy = data.aws_iam_policy_document.trail_to_logs[0].json

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

# --- the trail -----------------------------------------------------------------------------------

resource "aws_cloudtrail" "this" {
  #checkov:skip=CKV_AWS_252:an SNS notification per delivered log file is noise; alerting goes through the metric filters and alarms on the alerts topic
  count                         = local.create_trail ? 1 : 0
  name                          = local.trail_name
  s3_bucket_name                = aws_s3_bucket.logs[0].id
  kms_key_id                    = aws_kms_key.trail[0].arn
  enable_logging                = true
  enable_log_file_validation    = true
  include_global_service_events = true
  # Multi-region, so that CIS 3.5 sees trail changes made in any region.
  is_multi_region_trail      = true
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail[0].arn}:*"
  cloud_watch_logs_role_arn  = aws_iam_role.trail[0].arn

  # Object-level events of the affected buckets only (all of S3 would cost per request).
  dynamic "advanced_event_selector" {
    for_each = local.has_buckets ? [local.object_prefixes] : []
    content {
      name = "S3 data events on the affected buckets"

      field_selector {
        field  = "eventCategory"
        equals = ["Data"]
      }

      field_selector {
        field  = "resources.type"
        equals = ["AWS::S3::Object"]
      }

      field_selector {
        field       = "resources.ARN"
        starts_with = advanced_event_selector.value
      }
    }
  }

  # Write management events only: every filter in alarms.tf matches a write call.
  advanced_event_selector {
    name = "Management write events"

    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }

    field_selector {
      field  = "readOnly"
      equals = ["false"]
    }
  }

  depends_on = [
    aws_s3_bucket_policy.logs,
    aws_iam_role_policy.trail,
  ]

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
    precondition {
      condition     = local.region_ok
      error_message = local.region_error
    }
    precondition {
      condition     = local.selectors_fit
      error_message = "tfremedy: the trail's advanced event selectors would have ${local.selector_value_count} values (${length(local.object_prefixes)} buckets), over CloudTrail's limit of ${local.selector_value_limit} per trail. Split bucket_names over several module calls with different name_prefix values, or log data events with an organisation trail."
    }
  }
}
