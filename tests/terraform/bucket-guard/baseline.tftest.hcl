# The document the module writes, merged as data from the baseline (existing_policy = "restore",
# so nothing is read; "pinned" and "read" use the same merge, see existing_policy.tftest.hcl): the
# baseline's statements are kept exactly, numbers included (AWS's own TLS statement keeps 1.2,
# which aws_iam_policy_document would drop), with its Version (2008-10-17) and Id, duplicate Sids,
# statements without a Sid, a Statement given as a single object, no Version when it has none;
# Tfremedy* statements of the baseline are dropped and rebuilt from the inputs; ours follow in the
# order deny_ips, tls_only, allow_list; the whole policy is checked byte for byte once.

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
  existing_policy = "restore"
  deny_cidrs      = ["198.51.100.7/32"]
}

run "aws_tls_statement_keeps_its_number_version_and_id" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_tls_only = false
    baseline_policy = "{\"Version\":\"2008-10-17\",\"Id\":\"S3PolicyId1\",\"Statement\":[{\"Sid\":\"EnforceTLSv12orHigher\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":1.2}}}]}"
  }

  # Byte for byte: keys sorted, no spaces, the number as a number, ours appended.
  assert {
    condition     = aws_s3_bucket_policy.this[0].policy == "{\"Id\":\"S3PolicyId1\",\"Statement\":[{\"Action\":\"s3:*\",\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":1.2}},\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Sid\":\"EnforceTLSv12orHigher\"},{\"Action\":\"s3:*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":[\"198.51.100.7/32\"]}},\"Effect\":\"Deny\",\"Principal\":\"*\",\"Resource\":[\"arn:aws:s3:::example-bucket\",\"arn:aws:s3:::example-bucket/*\"],\"Sid\":\"TfremedyDenyThreatIps\"}],\"Version\":\"2008-10-17\"}"
    error_message = "the policy must be the baseline's statement as it is, then ours, Version and Id kept: ${aws_s3_bucket_policy.this[0].policy}"
  }
  assert {
    condition     = jsonencode(jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[0].Condition.NumericLessThan["s3:TlsVersion"]) == "1.2"
    error_message = "s3:TlsVersion must stay the number 1.2 (not dropped, not a string)"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[0] == jsondecode(var.baseline_policy).Statement[0]
    error_message = "AWS's TLS statement must be kept unchanged"
  }
  assert {
    condition     = output.policy_json == aws_s3_bucket_policy.this[0].policy
    error_message = "policy_json must be the policy written"
  }
}

run "duplicate_sids_and_statements_without_sid_are_kept" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    baseline_policy = <<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {"Sid": "Readers", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"},
          {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::example-bucket/logs/*"},
          {"Sid": "Readers", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/auditor", "arn:aws:iam::111122223333:role/backup"]}, "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]},
          {"Sid": "", "Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "NotAction": "s3:Get*", "Resource": "arn:aws:s3:::example-bucket/*"}
        ]
      }
    EOT
  }

  assert {
    condition     = slice(jsondecode(aws_s3_bucket_policy.this[0].policy).Statement, 0, 4) == jsondecode(var.baseline_policy).Statement
    error_message = "every statement of the baseline (two with the same Sid, one without Sid, one with an empty Sid) must be kept, unchanged and in order"
  }
  assert {
    condition     = [for s in slice(jsondecode(aws_s3_bucket_policy.this[0].policy).Statement, 4, 7) : s.Sid] == ["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"]
    error_message = "ours follow the baseline's statements"
  }
}

run "a_single_statement_object_works" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_tls_only = false
    baseline_policy = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}}"
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[0] == jsondecode(var.baseline_policy).Statement
    error_message = "a Statement given as one object must be kept as the first statement"
  }
  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TheirReader", "TfremedyDenyThreatIps"]
    error_message = "the statement, then ours, as a list"
  }
}

run "a_baseline_without_version_gets_none" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    baseline_policy = "{\"Statement\":[{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/$${aws:username}/*\"}]}"
  }

  # Without Version the policy is read as 2008-10-17, where $${aws:username} is literal text:
  # adding 2012-10-17 would change what TheirReader means.
  assert {
    condition     = keys(jsondecode(aws_s3_bucket_policy.this[0].policy)) == ["Statement"]
    error_message = "no Version (and no Id) may be added to a baseline that has none"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[0].Resource == "arn:aws:s3:::example-bucket/$${aws:username}/*"
    error_message = "the policy variable must be kept as text"
  }
}

run "other_top_level_keys_are_kept" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    baseline_policy = "{\"Version\":\"2012-10-17\",\"Id\":\"Policy1\",\"Statement\":[]}"
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Id == "Policy1" && jsondecode(aws_s3_bucket_policy.this[0].policy).Version == "2012-10-17"
    error_message = "Id and Version must be the baseline's"
  }
  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"]
    error_message = "an empty baseline gives ours alone"
  }
}

run "tfremedy_statements_of_the_baseline_are_rebuilt" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    # ignore_cidrs moved 203.0.113.99 out, tls_only was switched off, the allow-list removed.
    enable_tls_only = false
    baseline_policy = <<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {"Sid": "TfremedyDenyThreatIps", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"], "Condition": {"IpAddress": {"aws:SourceIp": ["198.51.100.7/32", "203.0.113.99/32"]}}},
          {"Sid": "TheirReader", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"},
          {"Sid": "TfremedyDenyInsecureTransport", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
          {"Sid": "TfremedyDenyOutdatedTls", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}},
          {"Sid": "TfremedyAllowListOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket/*", "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}},
          {"Sid": "TfremedySomethingOlder", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::example-bucket/*"}
        ]
      }
    EOT
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TheirReader", "TfremedySomethingOlder", "TfremedyDenyThreatIps"]
    error_message = "the module's own Sids must be dropped (only what the inputs ask for is rebuilt, after the team's); another Tfremedy* Sid is the team's and kept"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[2].Condition == { IpAddress = { "aws:SourceIp" = ["198.51.100.7/32"] } }
    error_message = "TfremedyDenyThreatIps must be rebuilt from deny_cidrs, without the CIDR moved out"
  }
}

run "ours_follow_in_order_deny_ips_tls_only_allow_list" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    allow_cidrs                = ["203.0.113.0/24"]
    allow_vpce_ids             = ["vpce-0abc"]
    break_glass_principal_arns = ["arn:aws:iam::111122223333:role/BreakGlass"]
    baseline_policy            = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"TfremedyAllowListOnly\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"},{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}]}"
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TheirReader", "TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls", "TfremedyAllowListOnly"]
    error_message = "the team's statements, then deny_ips, tls_only, allow_list"
  }
  assert {
    condition     = slice(jsondecode(aws_s3_bucket_policy.this[0].policy).Statement, 1, 5) == jsondecode(output.statements_json).Statement
    error_message = "our statements in the policy must be statements_json's"
  }
  assert {
    condition     = tolist(output.policy_statement_ids) == tolist([for s in slice(jsondecode(aws_s3_bucket_policy.this[0].policy).Statement, 1, 5) : s.Sid])
    error_message = "policy_statement_ids must name our statements in the policy, in order"
  }
}
