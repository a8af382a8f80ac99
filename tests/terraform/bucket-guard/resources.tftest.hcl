# What the module writes: default encryption (S3 Bucket Key only for SSE-KMS), the public access
# block, partition-based ARNs and the content of our policy statements (the planned JSON, compared
# with the exact statements).

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
      for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement :
      s.Resource == ["arn:aws-us-gov:s3:::example-bucket", "arn:aws-us-gov:s3:::example-bucket/*"]
    ])
    error_message = "every statement must cover the bucket and its objects, in the provider's partition"
  }
}

# The statements exactly as written (jsonencode: keys sorted, condition values and Resource as
# lists, Principal "*" for the IP deny and {"AWS":"*"} for the TLS statements, as before the rewrite).
run "statement_content" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    min_tls_version = "1.3"
  }

  assert {
    condition = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement == [
      {
        Sid       = "TfremedyDenyThreatIps"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]
        Condition = { IpAddress = { "aws:SourceIp" = ["198.51.100.7/32", "2001:db8::7/128"] } }
      },
      {
        Sid       = "TfremedyDenyInsecureTransport"
        Effect    = "Deny"
        Principal = { AWS = "*" }
        Action    = "s3:*"
        Resource  = ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]
        Condition = { Bool = { "aws:SecureTransport" = ["false"] } }
      },
      {
        Sid       = "TfremedyDenyOutdatedTls"
        Effect    = "Deny"
        Principal = { AWS = "*" }
        Action    = "s3:*"
        Resource  = ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]
        Condition = { NumericLessThan = { "s3:TlsVersion" = ["1.3"] } }
      },
    ]
    error_message = "the statements must deny the threat IPs, insecure transport and TLS below min_tls_version: ${aws_s3_bucket_policy.this[0].policy}"
  }
  assert {
    condition     = strcontains(aws_s3_bucket_policy.this[0].policy, "\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":[\"1.3\"]}}")
    error_message = "min_tls_version is written as the string it is"
  }
}
