# The opt-in allow-list (TfremedyAllowListOnly): off by default; with a break-glass principal and a
# VPC exemption its statement joins our policy with every exemption condition; without a
# break-glass principal, or without a VPC exemption and no explicit opt-out, the policy fails its
# precondition and the statement is not built. The mocks cannot render aws_iam_policy_document, so
# the statement blocks and the merge inputs are checked, not the JSON (see NOTES.md).

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
    condition     = length(data.aws_iam_policy_document.allow_list) == 0
    error_message = "no allow-list statement without allow_cidrs"
  }
  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"])
    error_message = "the statement ids must be unchanged without allow_cidrs"
  }
  assert {
    condition     = data.aws_iam_policy_document.ours[0].source_policy_documents == tolist([data.aws_iam_policy_document.deny_ips[0].json, data.aws_iam_policy_document.tls_only[0].json])
    error_message = "ours must be unchanged without allow_cidrs"
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
    condition     = length(data.aws_iam_policy_document.allow_list) == 0 && length(aws_s3_bucket_policy.this) == 1
    error_message = "null must mean no allow-list"
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
    condition     = length(data.aws_iam_policy_document.allow_list) == 0
    error_message = "without allow_cidrs there is no allow-list, whatever the exemptions"
  }
  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"])
    error_message = "exemptions alone must not add a statement id"
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
    condition     = data.aws_iam_policy_document.ours[0].source_policy_documents == tolist([data.aws_iam_policy_document.deny_ips[0].json, data.aws_iam_policy_document.tls_only[0].json, data.aws_iam_policy_document.allow_list[0].json])
    error_message = "ours must combine deny_ips, tls_only, then allow_list"
  }
  assert {
    condition     = data.aws_iam_policy_document.merged[0].override_policy_documents == tolist([data.aws_iam_policy_document.ours[0].json])
    error_message = "our statements (the allow-list included) must be the override document"
  }
  assert {
    condition     = [for s in data.aws_iam_policy_document.allow_list[0].statement : [s.sid, s.effect, s.actions]] == [["TfremedyAllowListOnly", "Deny", toset(["s3:*"])]]
    error_message = "allow_list holds only TfremedyAllowListOnly, a Deny of s3:*"
  }
  assert {
    condition     = data.aws_iam_policy_document.allow_list[0].statement[0].resources == toset(["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"])
    error_message = "the allow-list must cover the bucket and its objects"
  }
  assert {
    condition     = [for p in data.aws_iam_policy_document.allow_list[0].statement[0].principals : [p.type, p.identifiers]] == [["*", toset(["*"])]]
    error_message = "the allow-list principal must be \"*\""
  }
  assert {
    condition = { for c in data.aws_iam_policy_document.allow_list[0].statement[0].condition : "${c.test} ${c.variable}" => c.values } == {
      "NotIpAddress aws:SourceIp"              = tolist(["203.0.113.0/24"])
      "StringNotEqualsIfExists aws:SourceVpce" = tolist(["vpce-0abc"])
      "BoolIfExists aws:PrincipalIsAWSService" = tolist(["false"])
      "BoolIfExists aws:ViaAWSService"         = tolist(["false"])
      "ArnNotLikeIfExists aws:PrincipalArn"    = tolist(["arn:aws:iam::111122223333:role/BreakGlass"])
    }
    error_message = "the allow-list conditions (and nothing else) must be the source address, the VPC endpoint, the two AWS service keys and the break-glass principal"
  }
  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1 && aws_s3_bucket_policy.this[0].policy == data.aws_iam_policy_document.merged[0].minified_json
    error_message = "the bucket policy must be planned from the merged document"
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
    condition     = length(aws_s3_bucket_policy.this) == 1 && data.aws_iam_policy_document.ours[0].source_policy_documents == tolist([data.aws_iam_policy_document.allow_list[0].json])
    error_message = "the allow-list alone must plan the policy"
  }
  assert {
    condition     = data.aws_iam_policy_document.allow_list[0].statement[0].resources == toset(["arn:aws-us-gov:s3:::example-bucket", "arn:aws-us-gov:s3:::example-bucket/*"])
    error_message = "the allow-list must use the provider's partition"
  }
  assert {
    condition = { for c in data.aws_iam_policy_document.allow_list[0].statement[0].condition : "${c.test} ${c.variable}" => c.values } == {
      "NotIpAddress aws:SourceIp"              = tolist(["203.0.113.0/24", "2001:db8::/32"])
      "StringNotEqualsIfExists aws:SourceVpc"  = tolist(["vpc-0abc", "vpc-0def"])
      "BoolIfExists aws:PrincipalIsAWSService" = tolist(["false"])
      "BoolIfExists aws:ViaAWSService"         = tolist(["false"])
      "ArnNotLikeIfExists aws:PrincipalArn"    = tolist(["arn:aws-us-gov:iam::111122223333:user/ops/breakglass", "arn:aws-us-gov:iam::111122223333:role/Admin*"])
    }
    error_message = "allow_vpc_ids alone must give aws:SourceVpc and no aws:SourceVpce; every list kept whole"
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
    condition = { for c in data.aws_iam_policy_document.allow_list[0].statement[0].condition : c.variable => c.values if c.test == "StringNotEqualsIfExists" } == {
      "aws:SourceVpc"  = tolist(["vpc-0abc"])
      "aws:SourceVpce" = tolist(["vpce-0abc", "vpce-0def"])
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
    condition = { for c in data.aws_iam_policy_document.allow_list[0].statement[0].condition : "${c.test} ${c.variable}" => c.values } == {
      "NotIpAddress aws:SourceIp"              = tolist(["203.0.113.0/24"])
      "BoolIfExists aws:PrincipalIsAWSService" = tolist(["false"])
      "BoolIfExists aws:ViaAWSService"         = tolist(["false"])
      "ArnNotLikeIfExists aws:PrincipalArn"    = tolist(["arn:aws:iam::111122223333:role/BreakGlass"])
    }
    error_message = "with the opt-out there is no VPC condition (and no empty one)"
  }
  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1
    error_message = "the opt-out must let the policy plan"
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

  # Only the policy fails: SSE and the public access block still plan.
  expect_failures = [aws_s3_bucket_policy.this]

  assert {
    condition     = length(data.aws_iam_policy_document.allow_list) == 0
    error_message = "no allow-list statement may be built without a break-glass principal"
  }
  assert {
    condition     = length(aws_s3_bucket_server_side_encryption_configuration.this) == 1 && length(aws_s3_bucket_public_access_block.this) == 1
    error_message = "SSE and the public access block should still be planned"
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
    condition     = length(data.aws_iam_policy_document.allow_list) == 0
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

  expect_failures = [
    aws_s3_bucket_policy.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_s3_bucket_public_access_block.this,
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
    condition     = length(data.aws_iam_policy_document.allow_list) == 1
    error_message = "good values must plan the allow-list"
  }
}
