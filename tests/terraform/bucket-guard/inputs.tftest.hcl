# Variable validations (bad and good values, baseline_policy included), null inputs taking their
# defaults, and the policy size precondition on the real document: it counts UTF-8 bytes (a
# baseline with multi-byte characters is more bytes than characters), exactly the limit passes,
# one byte over fails, and the default limit is 20480.

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
}

run "bad_account_id" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    account_id = "11112222333"
  }

  expect_failures = [var.account_id]
}

run "bad_account_id_letters" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    account_id = "11112222333a"
  }

  expect_failures = [var.account_id]
}

run "bad_bucket" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    bucket = ""
  }

  expect_failures = [var.bucket]
}

run "bad_bucket_characters" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    bucket = "bucket/key"
  }

  expect_failures = [var.bucket]
}

run "bad_existing_policy" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "yes"
  }

  expect_failures = [var.existing_policy]
}

run "bad_cidr_bare_address" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    deny_cidrs = ["198.51.100.7/32", "203.0.113.9"]
  }

  expect_failures = [var.deny_cidrs]
}

run "bad_cidr_garbage" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    deny_cidrs = ["2001:db8::1/129"]
  }

  expect_failures = [var.deny_cidrs]
}

run "bad_baseline_policy_not_json" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "restore"
    baseline_policy = "{\"Version\":\"2012-10-17\",\"Statement\":["
  }

  expect_failures = [var.baseline_policy]
}

run "bad_baseline_policy_without_statement" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
    baseline_policy = "{\"Version\":\"2012-10-17\"}"
  }

  expect_failures = [var.baseline_policy]
}

run "bad_baseline_policy_not_an_object" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "restore"
    baseline_policy = "[{\"Statement\":[]}]"
  }

  expect_failures = [var.baseline_policy]
}

run "bad_sse_algorithm" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    sse_algorithm = "AES256"
  }

  expect_failures = [var.sse_algorithm]
}

run "bad_min_tls_version" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    min_tls_version = "1.4"
  }

  expect_failures = [var.min_tls_version]
}

run "bad_policy_size_limit_zero" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    policy_size_limit = 0
  }

  expect_failures = [var.policy_size_limit]
}

run "bad_policy_size_limit_over_s3" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    policy_size_limit = 20481
  }

  expect_failures = [var.policy_size_limit]
}

run "bad_policy_size_limit_fraction" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    policy_size_limit = 100.5
  }

  expect_failures = [var.policy_size_limit]
}

run "bad_kms_key_arn" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    kms_key_arn = "alias/aws/s3"
  }

  expect_failures = [var.kms_key_arn]
}

run "good_values" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    bucket            = "Example.bucket_name-1"
    deny_cidrs        = ["198.51.100.7/32", "203.0.113.0/24", "2001:db8::1/128", "2001:db8:1::/48"]
    sse_algorithm     = "aws:kms:dsse"
    min_tls_version   = "1.3"
    policy_size_limit = 20480
    kms_key_arn       = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[0].Condition.IpAddress["aws:SourceIp"] == ["198.51.100.7/32", "203.0.113.0/24", "2001:db8::1/128", "2001:db8:1::/48"]
    error_message = "every CIDR (IPv4 and IPv6) must be in the deny statement"
  }
}

run "good_kms_alias_arn_and_min_tls_1_0" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    kms_key_arn       = "arn:aws:kms:us-east-2:111122223333:alias/bucket-guard"
    min_tls_version   = "1.0"
    policy_size_limit = 1000
  }
}

run "nulls_take_the_defaults" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy            = null
    deny_cidrs                 = null
    enable_tls_only            = null
    min_tls_version            = null
    policy_size_limit          = null
    enable_default_encryption  = null
    sse_algorithm              = null
    kms_key_arn                = null
    enable_public_access_block = null
    baseline_policy            = null
    keep_policy                = null
    remove_statements          = null
    policy_managed_elsewhere   = null
  }

  # existing_policy null is "unknown".
  expect_failures = [aws_s3_bucket_policy.this]

  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"])
    error_message = "deny_cidrs null is [] and enable_tls_only null is true"
  }
  assert {
    condition     = jsonencode(one([for s in local.tls_only_statements : s.Condition if s.Sid == "TfremedyDenyOutdatedTls"])) == jsonencode({ NumericLessThan = { "s3:TlsVersion" = ["1.2"] } })
    error_message = "min_tls_version null is 1.2"
  }
  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.this[0].rule : r.apply_server_side_encryption_by_default[0].sse_algorithm]) == "aws:kms"
    error_message = "sse_algorithm null is aws:kms"
  }
  # The public access block waits for the failed policy (depends_on), so it is not planned here.
  assert {
    condition     = output.manages.public_access_block == true && output.manages.policy == true
    error_message = "enable_public_access_block null is true; policy_managed_elsewhere null is false"
  }
  assert {
    condition     = output.removed_statements == [] && length(data.aws_s3_bucket_policy.current) == 0
    error_message = "remove_statements null is []; nothing is read"
  }
}

run "keep_policy_null_is_false" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "restore"
    baseline_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}]}"
    enable_tls_only = false
    keep_policy     = null
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0
    error_message = "keep_policy null is false: no statements, no policy"
  }
}

# The "none" document with the two TLS statements is 487 bytes (ASCII):
# {"Statement":[{"Action":"s3:*",...,"Sid":"TfremedyDenyOutdatedTls"}],"Version":"2012-10-17"}
run "policy_over_the_size_limit_fails" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    policy_size_limit = 486
  }

  expect_failures = [aws_s3_bucket_policy.this]
}

run "policy_at_the_size_limit_passes" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    policy_size_limit = 487
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this[0].policy) == 487 && local.policy_bytes == 487
    error_message = "a policy of exactly policy_size_limit bytes must plan"
  }
}

# A baseline with multi-byte characters in a condition value: e-acute (2 bytes), the euro sign (3),
# an emoji (4) and q followed by a combining acute accent (1 + 2, one grapheme; Terraform normalises
# strings to NFC, and q has no precomposed form, so it stays two code points). The document is
# 672 bytes, 665 code points, 664 characters as length() counts them.
run "size_counts_bytes_not_characters" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy   = "restore"
    baseline_policy   = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Referer\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"StringLike\":{\"aws:Referer\":\"caf\u00e9 \u20acuro \U0001F600 q\u0301\"}}}]}"
    policy_size_limit = 672
  }

  assert {
    condition     = local.policy_bytes == 672 && length(local.policy_json) == 664
    error_message = "policy_bytes must count UTF-8 bytes (672), not characters (664): ${local.policy_bytes}"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[0].Condition.StringLike["aws:Referer"] == "caf\u00e9 \u20acuro \U0001F600 q\u0301"
    error_message = "the characters must be kept as they are"
  }
}

run "size_over_the_limit_in_bytes_fails" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy   = "restore"
    baseline_policy   = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Referer\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"StringLike\":{\"aws:Referer\":\"caf\u00e9 \u20acuro \U0001F600 q\u0301\"}}}]}"
    policy_size_limit = 671
  }

  # 665 code points, 664 characters: only a count of bytes is over 671.
  expect_failures = [aws_s3_bucket_policy.this]
}

# A baseline padded (with spaces, in a condition value) so that the document with the two TLS
# statements is 20480 bytes, then 20481.
run "default_size_limit_accepts_20480" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "restore"
    baseline_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "Pad", Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "arn:aws:s3:::example-bucket/*", Condition = { StringEquals = { "aws:UserAgent" = format("%19838s", "") } } }] })
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this[0].policy) == 20480
    error_message = "a 20480-byte policy must plan with the default limit"
  }
}

run "default_size_limit_is_20480" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "restore"
    baseline_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "Pad", Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "arn:aws:s3:::example-bucket/*", Condition = { StringEquals = { "aws:UserAgent" = format("%19839s", "") } } }] })
  }

  expect_failures = [aws_s3_bucket_policy.this]
}
