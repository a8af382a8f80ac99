# Variable validations (bad and good values), null inputs taking their defaults, and the policy
# size precondition.

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
    condition     = tolist(data.aws_iam_policy_document.deny_ips[0].statement[0].condition)[0].values == tolist(["198.51.100.7/32", "203.0.113.0/24", "2001:db8::1/128", "2001:db8:1::/48"])
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
  }

  # existing_policy null is "unknown".
  expect_failures = [aws_s3_bucket_policy.this]

  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"])
    error_message = "deny_cidrs null is [] and enable_tls_only null is true"
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.tls_only[0].statement : one(s.condition).values if s.sid == "TfremedyDenyOutdatedTls"]) == tolist(["1.2"])
    error_message = "min_tls_version null is 1.2"
  }
  assert {
    condition     = one([for r in aws_s3_bucket_server_side_encryption_configuration.this[0].rule : r.apply_server_side_encryption_by_default[0].sse_algorithm]) == "aws:kms"
    error_message = "sse_algorithm null is aws:kms"
  }
  assert {
    condition     = length(aws_s3_bucket_public_access_block.this) == 1
    error_message = "enable_public_access_block null is true"
  }
}

run "policy_over_the_size_limit_fails" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    policy_size_limit = 29
  }

  override_data {
    target = data.aws_iam_policy_document.merged
    values = { minified_json = "{\"Statement\":[],\"Pad\":\"12345\"}" } # 30 characters
  }

  expect_failures = [aws_s3_bucket_policy.this]
}

run "policy_at_the_size_limit_passes" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    policy_size_limit = 30
  }

  override_data {
    target = data.aws_iam_policy_document.merged
    values = { minified_json = "{\"Statement\":[],\"Pad\":\"12345\"}" } # 30 characters
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this[0].policy) == 30
    error_message = "a policy of exactly policy_size_limit characters must plan"
  }
}

run "default_size_limit_is_20480" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }

  override_data {
    target = data.aws_iam_policy_document.merged
    values = { minified_json = format("%-20481s", "{}") } # 20481 characters
  }

  expect_failures = [aws_s3_bucket_policy.this]
}

run "default_size_limit_accepts_20480" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }

  override_data {
    target = data.aws_iam_policy_document.merged
    values = { minified_json = format("%-20480s", "{}") }
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this[0].policy) == 20480
    error_message = "a 20480-character policy must plan with the default limit"
  }
}
