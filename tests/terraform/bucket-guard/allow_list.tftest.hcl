# The opt-in allow-list (TfremedyAllowListOnly): off by default; with a break-glass principal and a
# VPC exemption its statement (local.allow_list_statements[0], condition values as lists) is the
# last of ours in the planned policy, with every exemption condition and nothing else; without a
# break-glass principal, or without a VPC exemption and no explicit opt-out, the policy fails its
# precondition and the statement is not built; the validations of its inputs.

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
  deny_cidrs      = ["198.51.100.7/32"]
}

run "off_by_default" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }

  assert {
    condition     = length(local.allow_list_statements) == 0
    error_message = "no allow-list statement without allow_cidrs"
  }
  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"])
    error_message = "the statement ids must be unchanged without allow_cidrs"
  }
  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"]
    error_message = "the policy must be unchanged without allow_cidrs"
  }
}

run "nulls_take_the_defaults" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_cidrs                = null
    allow_vpce_ids             = null
    allow_vpc_ids              = null
    allow_no_vpc_exemption     = null
    break_glass_principal_arns = null
  }

  assert {
    condition     = length(local.allow_list_statements) == 0 && length(aws_s3_bucket_policy.this) == 1
    error_message = "null must mean no allow-list"
  }
  assert {
    condition     = !strcontains(aws_s3_bucket_policy.this[0].policy, "TfremedyAllowListOnly")
    error_message = "null must mean no allow-list in the policy"
  }
}

run "exemptions_alone_do_nothing" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_vpce_ids             = ["vpce-0abc"]
    allow_vpc_ids              = ["vpc-0abc"]
    allow_no_vpc_exemption     = true
    break_glass_principal_arns = ["arn:aws:iam::111122223333:role/BreakGlass"]
  }

  assert {
    condition     = length(local.allow_list_statements) == 0
    error_message = "without allow_cidrs there is no allow-list, whatever the exemptions"
  }
  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"])
    error_message = "exemptions alone must not add a statement id"
  }
  assert {
    condition     = !strcontains(aws_s3_bucket_policy.this[0].policy, "vpce-0abc") && !strcontains(aws_s3_bucket_policy.this[0].policy, "BreakGlass")
    error_message = "exemptions alone must not reach the policy"
  }
}

run "on_with_break_glass_and_a_vpc_endpoint" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_cidrs                = ["203.0.113.0/24"]
    allow_vpce_ids             = ["vpce-0abc"]
    break_glass_principal_arns = ["arn:aws:iam::111122223333:role/BreakGlass"]
  }

  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls", "TfremedyAllowListOnly"])
    error_message = "TfremedyAllowListOnly must join the statement ids, last"
  }
  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls", "TfremedyAllowListOnly"]
    error_message = "the policy must hold deny_ips, tls_only, then allow_list"
  }
  assert {
    condition     = length(local.allow_list_statements) == 1 && jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[3] == jsondecode(jsonencode(local.allow_list_statements[0]))
    error_message = "the allow-list statement in the policy must be local.allow_list_statements[0]"
  }
  assert {
    condition     = [local.allow_list_statements[0].Sid, local.allow_list_statements[0].Effect, local.allow_list_statements[0].Action, local.allow_list_statements[0].Principal] == ["TfremedyAllowListOnly", "Deny", "s3:*", "*"]
    error_message = "allow_list is TfremedyAllowListOnly, a Deny of s3:* for the principal \"*\""
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[3].Resource == ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]
    error_message = "the allow-list must cover the bucket and its objects"
  }
  assert {
    condition = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[3].Condition == {
      NotIpAddress            = { "aws:SourceIp" = ["203.0.113.0/24"] }
      StringNotEqualsIfExists = { "aws:SourceVpce" = ["vpce-0abc"] }
      BoolIfExists            = { "aws:PrincipalIsAWSService" = ["false"], "aws:ViaAWSService" = ["false"] }
      ArnNotLikeIfExists      = { "aws:PrincipalArn" = ["arn:aws:iam::111122223333:role/BreakGlass"] }
    }
    error_message = "the allow-list conditions (and nothing else) must be the source address, the VPC endpoint, the two AWS service keys and the break-glass principal"
  }
  assert {
    condition     = strcontains(aws_s3_bucket_policy.this[0].policy, "{\"Action\":\"s3:*\",\"Condition\":{\"ArnNotLikeIfExists\":{\"aws:PrincipalArn\":[\"arn:aws:iam::111122223333:role/BreakGlass\"]},\"BoolIfExists\":{\"aws:PrincipalIsAWSService\":[\"false\"],\"aws:ViaAWSService\":[\"false\"]},\"NotIpAddress\":{\"aws:SourceIp\":[\"203.0.113.0/24\"]},\"StringNotEqualsIfExists\":{\"aws:SourceVpce\":[\"vpce-0abc\"]}},\"Effect\":\"Deny\",\"Principal\":\"*\",\"Resource\":[\"arn:aws:s3:::example-bucket\",\"arn:aws:s3:::example-bucket/*\"],\"Sid\":\"TfremedyAllowListOnly\"}]")
    error_message = "the allow-list statement must be written byte for byte as jsonencode writes it, last"
  }
}

run "vpc_ids_multiple_values_and_the_partition" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    deny_cidrs                 = []
    enable_tls_only            = false
    allow_cidrs                = ["203.0.113.0/24", "2001:db8::/32"]
    allow_vpc_ids              = ["vpc-0abc", "vpc-0def"]
    break_glass_principal_arns = ["arn:aws-us-gov:iam::111122223333:user/ops/breakglass", "arn:aws-us-gov:iam::111122223333:role/Admin*"]
  }

  override_data {
    target = data.aws_partition.current
    values = { partition = "aws-us-gov" }
  }

  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyAllowListOnly"])
    error_message = "the allow-list alone is a statement of its own"
  }
  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1 && [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TfremedyAllowListOnly"]
    error_message = "the allow-list alone must plan the policy"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[0].Resource == ["arn:aws-us-gov:s3:::example-bucket", "arn:aws-us-gov:s3:::example-bucket/*"]
    error_message = "the allow-list must use the provider's partition"
  }
  assert {
    condition = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[0].Condition == {
      NotIpAddress            = { "aws:SourceIp" = ["203.0.113.0/24", "2001:db8::/32"] }
      StringNotEqualsIfExists = { "aws:SourceVpc" = ["vpc-0abc", "vpc-0def"] }
      BoolIfExists            = { "aws:PrincipalIsAWSService" = ["false"], "aws:ViaAWSService" = ["false"] }
      ArnNotLikeIfExists      = { "aws:PrincipalArn" = ["arn:aws-us-gov:iam::111122223333:user/ops/breakglass", "arn:aws-us-gov:iam::111122223333:role/Admin*"] }
    }
    error_message = "allow_vpc_ids alone must give aws:SourceVpc and no aws:SourceVpce; every list kept whole, in order"
  }
}

run "vpce_and_vpc_ids_together" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_cidrs                = ["203.0.113.0/24"]
    allow_vpce_ids             = ["vpce-0abc", "vpce-0def"]
    allow_vpc_ids              = ["vpc-0abc"]
    break_glass_principal_arns = ["arn:aws:iam::111122223333:role/BreakGlass"]
  }

  assert {
    condition = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[3].Condition.StringNotEqualsIfExists == {
      "aws:SourceVpc"  = ["vpc-0abc"]
      "aws:SourceVpce" = ["vpce-0abc", "vpce-0def"]
    }
    error_message = "both VPC exemptions must be in the statement"
  }
}

run "explicit_opt_out_of_the_vpc_exemption" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_cidrs                = ["203.0.113.0/24"]
    allow_no_vpc_exemption     = true
    break_glass_principal_arns = ["arn:aws:iam::111122223333:role/BreakGlass"]
  }

  assert {
    condition = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[3].Condition == {
      NotIpAddress       = { "aws:SourceIp" = ["203.0.113.0/24"] }
      BoolIfExists       = { "aws:PrincipalIsAWSService" = ["false"], "aws:ViaAWSService" = ["false"] }
      ArnNotLikeIfExists = { "aws:PrincipalArn" = ["arn:aws:iam::111122223333:role/BreakGlass"] }
    }
    error_message = "with the opt-out there is no VPC condition (and no empty one)"
  }
  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1 && !strcontains(aws_s3_bucket_policy.this[0].policy, "[]")
    error_message = "the opt-out must let the policy plan, with no empty value list"
  }
}

run "no_break_glass_fails" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_cidrs    = ["203.0.113.0/24"]
    allow_vpce_ids = ["vpce-0abc"]
  }

  # Only the policy fails: SSE still plans (the public access block waits for the policy).
  expect_failures = [aws_s3_bucket_policy.this]

  assert {
    condition     = length(local.allow_list_statements) == 0 && !strcontains(local.policy_json, "TfremedyAllowListOnly")
    error_message = "no allow-list statement may be built without a break-glass principal"
  }
  assert {
    condition     = length(aws_s3_bucket_server_side_encryption_configuration.this) == 1
    error_message = "SSE should still be planned"
  }
}

run "no_break_glass_fails_even_when_the_allow_list_is_the_only_statement" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    deny_cidrs      = []
    enable_tls_only = false
    allow_cidrs     = ["203.0.113.0/24"]
    allow_vpc_ids   = ["vpc-0abc"]
  }

  expect_failures = [aws_s3_bucket_policy.this]
}

run "no_vpc_exemption_fails_without_the_opt_out" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_cidrs                = ["203.0.113.0/24"]
    break_glass_principal_arns = ["arn:aws:iam::111122223333:role/BreakGlass"]
  }

  expect_failures = [aws_s3_bucket_policy.this]

  assert {
    condition     = length(local.allow_list_statements) == 0 && !strcontains(local.policy_json, "TfremedyAllowListOnly")
    error_message = "no allow-list statement may be built without a VPC exemption or the opt-out"
  }
}

run "no_vpc_exemption_fails_when_the_allow_list_is_the_only_statement" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    deny_cidrs                 = []
    enable_tls_only            = false
    allow_cidrs                = ["203.0.113.0/24"]
    break_glass_principal_arns = ["arn:aws:iam::111122223333:role/BreakGlass"]
    allow_no_vpc_exemption     = false
  }

  expect_failures = [aws_s3_bucket_policy.this]
}

run "wrong_account_still_fails_the_policy" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_cidrs                = ["203.0.113.0/24"]
    allow_vpce_ids             = ["vpce-0abc"]
    break_glass_principal_arns = ["arn:aws:iam::111122223333:role/BreakGlass"]
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "444455556666" }
  }

  # The public access block waits for the failed policy, so it reports nothing.
  expect_failures = [
    aws_s3_bucket_policy.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}

run "bad_allow_cidr_bare_address" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_cidrs = ["203.0.113.7"]
  }

  expect_failures = [var.allow_cidrs]
}

run "bad_allow_cidr_garbage" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_cidrs = ["203.0.113.0/24", "everywhere"]
  }

  expect_failures = [var.allow_cidrs]
}

run "bad_vpce_id_is_a_vpc_id" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_vpce_ids = ["vpc-0abc"]
  }

  expect_failures = [var.allow_vpce_ids]
}

run "bad_vpce_id_upper_case" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_vpce_ids = ["vpce-0ABC"]
  }

  expect_failures = [var.allow_vpce_ids]
}

run "bad_vpc_id_is_a_vpce_id" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_vpc_ids = ["vpce-0abc"]
  }

  expect_failures = [var.allow_vpc_ids]
}

run "bad_vpc_id_empty_suffix" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_vpc_ids = ["vpc-0abc", "vpc-"]
  }

  expect_failures = [var.allow_vpc_ids]
}

run "bad_break_glass_account_root" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    break_glass_principal_arns = ["arn:aws:iam::111122223333:root"]
  }

  expect_failures = [var.break_glass_principal_arns]
}

run "bad_break_glass_assumed_role_session" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    break_glass_principal_arns = ["arn:aws:sts::111122223333:assumed-role/BreakGlass/alice"]
  }

  expect_failures = [var.break_glass_principal_arns]
}

run "bad_break_glass_short_account" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    break_glass_principal_arns = ["arn:aws:iam::11112222333:role/BreakGlass"]
  }

  expect_failures = [var.break_glass_principal_arns]
}

run "bad_break_glass_wildcard_account" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    break_glass_principal_arns = ["arn:aws:iam::*:role/BreakGlass"]
  }

  expect_failures = [var.break_glass_principal_arns]
}

run "bad_break_glass_other_partition_prefix" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    break_glass_principal_arns = ["arn:gcp:iam::111122223333:role/BreakGlass"]
  }

  expect_failures = [var.break_glass_principal_arns]
}

run "good_exemption_values" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_cidrs    = ["0.0.0.0/0", "10.0.0.0/8", "2001:db8::/32"]
    allow_vpce_ids = ["vpce-0123456789abcdef0"]
    allow_vpc_ids  = ["vpc-0123456789abcdef0"]
    break_glass_principal_arns = [
      "arn:aws:iam::111122223333:role/BreakGlass",
      "arn:aws:iam::111122223333:user/ops/alice",
      "arn:aws-cn:iam::111122223333:role/path/Admin*",
      "arn:aws-iso-b:iam::111122223333:role/BreakGlass",
    ]
  }

  assert {
    condition     = length(local.allow_list_statements) == 1 && strcontains(aws_s3_bucket_policy.this[0].policy, "TfremedyAllowListOnly")
    error_message = "good values must plan the allow-list"
  }
}
