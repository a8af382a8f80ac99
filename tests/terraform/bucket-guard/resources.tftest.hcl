# What the module writes: default encryption (S3 Bucket Key only for SSE-KMS), the public access
# block, partition-based ARNs and the content of our policy statements.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  bucket          = "example-bucket"
  account_id      = "111122223333"
  existing_policy = "none"
  deny_cidrs      = ["198.51.100.7/32", "2001:db8::7/128"]
}

run "sse_kms_uses_a_bucket_key" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    sse_algorithm = "aws:kms"
    kms_key_arn   = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = [for r in aws_s3_bucket_server_side_encryption_configuration.this[0].rule : r.bucket_key_enabled] == [true]
    error_message = "aws:kms must enable the S3 Bucket Key"
  }
  assert {
    condition     = [for r in aws_s3_bucket_server_side_encryption_configuration.this[0].rule : r.apply_server_side_encryption_by_default[0].sse_algorithm] == ["aws:kms"]
    error_message = "sse_algorithm must be aws:kms"
  }
  assert {
    condition     = [for r in aws_s3_bucket_server_side_encryption_configuration.this[0].rule : r.apply_server_side_encryption_by_default[0].kms_master_key_id] == ["arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    error_message = "kms_key_arn must be the key"
  }
  assert {
    condition     = aws_s3_bucket_server_side_encryption_configuration.this[0].bucket == "example-bucket"
    error_message = "SSE on the wrong bucket"
  }
}

run "dsse_kms_has_no_bucket_key" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    sse_algorithm = "aws:kms:dsse"
  }

  assert {
    condition     = [for r in aws_s3_bucket_server_side_encryption_configuration.this[0].rule : r.bucket_key_enabled] == [false]
    error_message = "aws:kms:dsse must not enable the S3 Bucket Key"
  }
  assert {
    condition     = [for r in aws_s3_bucket_server_side_encryption_configuration.this[0].rule : r.apply_server_side_encryption_by_default[0].sse_algorithm] == ["aws:kms:dsse"]
    error_message = "sse_algorithm must be aws:kms:dsse"
  }
}

run "public_access_block_sets_all_four" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this[0].block_public_acls,
      aws_s3_bucket_public_access_block.this[0].block_public_policy,
      aws_s3_bucket_public_access_block.this[0].ignore_public_acls,
      aws_s3_bucket_public_access_block.this[0].restrict_public_buckets,
    ])
    error_message = "all four public access block settings must be true"
  }
  assert {
    condition     = aws_s3_bucket_public_access_block.this[0].bucket == "example-bucket"
    error_message = "public access block on the wrong bucket"
  }
}

run "fixes_switched_off" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_default_encryption  = false
    enable_public_access_block = false
  }

  assert {
    condition     = length(aws_s3_bucket_server_side_encryption_configuration.this) == 0 && length(aws_s3_bucket_public_access_block.this) == 0
    error_message = "switched-off fixes must plan nothing"
  }
  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1
    error_message = "the policy is independent of the other fixes"
  }
}

run "arns_follow_the_partition" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }

  override_data {
    target = data.aws_partition.current
    values = { partition = "aws-us-gov" }
  }

  assert {
    condition     = output.bucket_arn == "arn:aws-us-gov:s3:::example-bucket"
    error_message = "bucket_arn must use the provider's partition"
  }
  assert {
    condition = alltrue([
      for s in concat(data.aws_iam_policy_document.deny_ips[0].statement, data.aws_iam_policy_document.tls_only[0].statement) :
      s.resources == toset(["arn:aws-us-gov:s3:::example-bucket", "arn:aws-us-gov:s3:::example-bucket/*"])
    ])
    error_message = "every statement must cover the bucket and its objects, in the provider's partition"
  }
}

run "statement_content" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    min_tls_version = "1.3"
  }

  assert {
    condition = alltrue([
      for s in concat(data.aws_iam_policy_document.deny_ips[0].statement, data.aws_iam_policy_document.tls_only[0].statement) :
      s.effect == "Deny" && s.actions == toset(["s3:*"])
    ])
    error_message = "every statement denies s3:*"
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.deny_ips[0].statement : s.sid] == ["TfremedyDenyThreatIps"]
    error_message = "deny_ips holds only TfremedyDenyThreatIps"
  }
  assert {
    condition = [for c in data.aws_iam_policy_document.deny_ips[0].statement[0].condition : [c.test, c.variable, c.values]] == [
      ["IpAddress", "aws:SourceIp", tolist(["198.51.100.7/32", "2001:db8::7/128"])]
    ]
    error_message = "the deny statement must match aws:SourceIp against deny_cidrs"
  }
  assert {
    condition = [for s in data.aws_iam_policy_document.tls_only[0].statement : [s.sid, [for c in s.condition : [c.test, c.variable, c.values]]]] == [
      ["TfremedyDenyInsecureTransport", [["Bool", "aws:SecureTransport", tolist(["false"])]]],
      ["TfremedyDenyOutdatedTls", [["NumericLessThan", "s3:TlsVersion", tolist(["1.3"])]]],
    ]
    error_message = "the TLS statements must deny insecure transport and TLS below min_tls_version"
  }
}
