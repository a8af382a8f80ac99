# existing_policy, baseline_policy, keep_policy and policy_managed_elsewhere: which mode reads which
# data source (live for "read", current for "pinned", none for "unknown", "none" and "restore"),
# which base the document gets (the baseline for "pinned" and "restore", the live policy for
# "read", nothing for "none"), the drift check of "pinned" (data.aws_s3_bucket_policy.current,
# mocked with override_data: the live policy once our statements are left out must be the
# baseline, in any order), the preconditions on "unknown" and on a missing baseline, and when the
# policy is written at all. The document is computed by the module (jsonencode of locals), so the
# plans are checked on the real JSON; baseline.tftest.hcl checks its content in detail.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  bucket     = "example-bucket"
  account_id = "111122223333"
  deny_cidrs = ["198.51.100.7/32"]
  # The reviewed policy: AWS's TLS statement (a number in its condition), one of the team's, and
  # ours from an earlier apply with a CIDR that is no longer denied (rebuilt, never read back).
  baseline_policy = <<-EOT
    {
      "Version": "2008-10-17",
      "Id": "ExamplePolicy",
      "Statement": [
        {
          "Sid": "EnforceTLSv12orHigher",
          "Effect": "Deny",
          "Principal": {"AWS": "*"},
          "Action": "s3:*",
          "Resource": "arn:aws:s3:::example-bucket/*",
          "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}}
        },
        {
          "Sid": "TheirReader",
          "Effect": "Allow",
          "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"},
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::example-bucket/*"
        },
        {
          "Sid": "TfremedyDenyThreatIps",
          "Effect": "Deny",
          "Principal": "*",
          "Action": "s3:*",
          "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"],
          "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.99/32"}}
        }
      ]
    }
  EOT
}

run "unknown_fails_on_the_policy_precondition_without_reading" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }

  # Only the policy fails. SSE still plans; the public access block waits for the policy
  # (depends_on), so Terraform does not plan it after the policy failed.
  expect_failures = [aws_s3_bucket_policy.this]

  assert {
    condition     = length(data.aws_s3_bucket_policy.live) == 0 && length(data.aws_s3_bucket_policy.current) == 0
    error_message = "existing_policy = \"unknown\" must not read the live bucket policy"
  }
  assert {
    condition     = length(aws_s3_bucket_server_side_encryption_configuration.this) == 1
    error_message = "SSE should still be planned"
  }
}

run "unknown_is_the_default" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = null
  }

  expect_failures = [aws_s3_bucket_policy.this]
}

run "none_writes_ours_alone_without_reading" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    # "none" ignores a baseline: the mode decides, not the presence of the text.
    existing_policy = "none"
  }

  assert {
    condition     = length(data.aws_s3_bucket_policy.live) == 0 && length(data.aws_s3_bucket_policy.current) == 0
    error_message = "existing_policy = \"none\" must not read the live bucket policy"
  }
  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1 && aws_s3_bucket_policy.this[0].bucket == "example-bucket"
    error_message = "existing_policy = \"none\" must plan the bucket policy of this bucket"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Version == "2012-10-17" && keys(jsondecode(aws_s3_bucket_policy.this[0].policy)) == ["Statement", "Version"]
    error_message = "a new policy gets Version 2012-10-17 and no Id"
  }
  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"]
    error_message = "with \"none\" the policy holds our statements only"
  }
  assert {
    condition     = aws_s3_bucket_policy.this[0].policy == output.policy_json && output.policy_json == jsonencode(jsondecode(output.policy_json))
    error_message = "policy_json must be the policy, as jsonencode writes it"
  }
  assert {
    condition     = jsondecode(output.statements_json) == jsondecode(output.policy_json)
    error_message = "with \"none\" statements_json and the policy are the same document"
  }
}

run "read_reads_the_live_policy_and_keeps_it" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "read"
  }

  override_data {
    target = data.aws_s3_bucket_policy.live
    values = {
      policy = "{\"Version\":\"2012-10-17\",\"Id\":\"LivePolicy\",\"Statement\":[{\"Sid\":\"TfremedyDenyOutdatedTls\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":\"1.0\"}}},{\"Sid\":\"TheirStatement\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}]}"
    }
  }

  assert {
    condition     = length(data.aws_s3_bucket_policy.live) == 1 && data.aws_s3_bucket_policy.live[0].bucket == "example-bucket"
    error_message = "existing_policy = \"read\" must read the live policy of this bucket"
  }
  assert {
    condition     = length(data.aws_s3_bucket_policy.current) == 0
    error_message = "\"read\" adopts the live policy unchecked: no drift check"
  }
  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TheirStatement", "TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"]
    error_message = "the live statements (less ours) come first, ours after them; the baseline is not used with \"read\""
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[0] == jsondecode(data.aws_s3_bucket_policy.live[0].policy).Statement[1]
    error_message = "the live statement must be kept as it is"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[3].Condition == { NumericLessThan = { "s3:TlsVersion" = ["1.2"] } }
    error_message = "our live TfremedyDenyOutdatedTls (TLS 1.0) must be rebuilt from the data, not read back"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Id == "LivePolicy" && jsondecode(aws_s3_bucket_policy.this[0].policy).Version == "2012-10-17"
    error_message = "Version and Id are the live policy's"
  }
}

run "pinned_checks_the_live_policy_and_writes_the_baseline_with_ours" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
  }

  # The live policy after an apply of this plan: the baseline's statements and ours, in an order
  # and layout AWS may choose.
  override_data {
    target = data.aws_s3_bucket_policy.current
    values = {
      policy = <<-EOT
        {"Version":"2008-10-17","Id":"ExamplePolicy","Statement":[
          {"Sid":"TfremedyDenyOutdatedTls","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":["arn:aws:s3:::example-bucket","arn:aws:s3:::example-bucket/*"],"Condition":{"NumericLessThan":{"s3:TlsVersion":"1.2"}}},
          {"Sid":"TheirReader","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/reader"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"},
          {"Sid":"TfremedyDenyInsecureTransport","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":["arn:aws:s3:::example-bucket","arn:aws:s3:::example-bucket/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},
          {"Sid":"EnforceTLSv12orHigher","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::example-bucket/*","Condition":{"NumericLessThan":{"s3:TlsVersion":1.2}}},
          {"Sid":"TfremedyDenyThreatIps","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::example-bucket","arn:aws:s3:::example-bucket/*"],"Condition":{"IpAddress":{"aws:SourceIp":"198.51.100.7/32"}}}
        ]}
      EOT
    }
  }

  assert {
    condition     = length(data.aws_s3_bucket_policy.current) == 1 && data.aws_s3_bucket_policy.current[0].bucket == "example-bucket"
    error_message = "existing_policy = \"pinned\" must read this bucket's live policy to check it"
  }
  assert {
    condition     = length(data.aws_s3_bucket_policy.live) == 0
    error_message = "\"pinned\" must not adopt the live policy"
  }
  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["EnforceTLSv12orHigher", "TheirReader", "TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"]
    error_message = "the baseline's statements (less ours) in their order, then ours"
  }
  assert {
    condition     = slice(jsondecode(aws_s3_bucket_policy.this[0].policy).Statement, 0, 2) == slice(jsondecode(var.baseline_policy).Statement, 0, 2)
    error_message = "the baseline's statements must be written as reviewed"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[2].Condition.IpAddress["aws:SourceIp"] == ["198.51.100.7/32"]
    error_message = "our old TfremedyDenyThreatIps (203.0.113.99/32) must be rebuilt from deny_cidrs"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Version == "2008-10-17" && jsondecode(aws_s3_bucket_policy.this[0].policy).Id == "ExamplePolicy"
    error_message = "Version and Id are the baseline's"
  }
}

run "pinned_before_the_first_apply_passes" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
  }

  # Live is exactly what was reviewed (our old statement included, with its old CIDR).
  override_data {
    target = data.aws_s3_bucket_policy.current
    values = {
      policy = "{\"Version\":\"2008-10-17\",\"Id\":\"ExamplePolicy\",\"Statement\":[{\"Sid\":\"EnforceTLSv12orHigher\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":1.2}}},{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"},{\"Sid\":\"TfremedyDenyThreatIps\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::example-bucket\",\"arn:aws:s3:::example-bucket/*\"],\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.99/32\"}}}]}"
    }
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1
    error_message = "the reviewed policy, still live, must plan"
  }
}

run "pinned_fails_on_a_statement_added_out_of_band" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
  }

  override_data {
    target = data.aws_s3_bucket_policy.current
    values = {
      policy = "{\"Version\":\"2008-10-17\",\"Id\":\"ExamplePolicy\",\"Statement\":[{\"Sid\":\"EnforceTLSv12orHigher\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":1.2}}},{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"},{\"Sid\":\"AddedSinceTheReview\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}]}"
    }
  }

  expect_failures = [data.aws_s3_bucket_policy.current]
}

run "pinned_fails_on_a_statement_removed_out_of_band" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
  }

  override_data {
    target = data.aws_s3_bucket_policy.current
    values = {
      policy = "{\"Version\":\"2008-10-17\",\"Id\":\"ExamplePolicy\",\"Statement\":[{\"Sid\":\"EnforceTLSv12orHigher\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":1.2}}}]}"
    }
  }

  expect_failures = [data.aws_s3_bucket_policy.current]
}

run "pinned_fails_on_a_statement_changed_out_of_band" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
  }

  # TheirReader now names another role; same Sid, same number of statements.
  override_data {
    target = data.aws_s3_bucket_policy.current
    values = {
      policy = "{\"Version\":\"2008-10-17\",\"Id\":\"ExamplePolicy\",\"Statement\":[{\"Sid\":\"EnforceTLSv12orHigher\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":1.2}}},{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}]}"
    }
  }

  expect_failures = [data.aws_s3_bucket_policy.current]
}

run "pinned_fails_on_a_changed_version" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
  }

  override_data {
    target = data.aws_s3_bucket_policy.current
    values = {
      policy = "{\"Version\":\"2012-10-17\",\"Id\":\"ExamplePolicy\",\"Statement\":[{\"Sid\":\"EnforceTLSv12orHigher\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":1.2}}},{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}]}"
    }
  }

  expect_failures = [data.aws_s3_bucket_policy.current]
}

run "pinned_fails_on_a_removed_id" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
  }

  override_data {
    target = data.aws_s3_bucket_policy.current
    values = {
      policy = "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Sid\":\"EnforceTLSv12orHigher\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":1.2}}},{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}]}"
    }
  }

  expect_failures = [data.aws_s3_bucket_policy.current]
}

run "pinned_without_a_baseline_fails_on_the_precondition" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
    baseline_policy = null
  }

  # A live policy the drift check accepts, so that the precondition is the only failure.
  override_data {
    target = data.aws_s3_bucket_policy.current
    values = { policy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }

  expect_failures = [aws_s3_bucket_policy.this]
}

run "restore_writes_the_baseline_with_ours_without_reading" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "restore"
  }

  assert {
    condition     = length(data.aws_s3_bucket_policy.live) == 0 && length(data.aws_s3_bucket_policy.current) == 0
    error_message = "\"restore\" must not read the live policy (there may be none)"
  }
  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["EnforceTLSv12orHigher", "TheirReader", "TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"]
    error_message = "\"restore\" writes the baseline's statements (less ours), then ours"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Version == "2008-10-17" && jsondecode(aws_s3_bucket_policy.this[0].policy).Id == "ExamplePolicy"
    error_message = "Version and Id are the baseline's"
  }
}

run "restore_without_a_baseline_fails_on_the_precondition" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "restore"
    baseline_policy = null
  }

  expect_failures = [aws_s3_bucket_policy.this]
}

run "no_statements_no_policy_and_no_read" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "read"
    deny_cidrs      = []
    enable_tls_only = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0
    error_message = "no statements: no bucket policy"
  }
  assert {
    condition     = length(data.aws_s3_bucket_policy.live) == 0 && length(data.aws_s3_bucket_policy.current) == 0
    error_message = "no statements: the live policy must not be read, even with \"read\""
  }
  assert {
    condition     = output.policy_json == null && length(output.policy_statement_ids) == 0 && output.statements_json == null
    error_message = "no statements: policy_json and statements_json null and no statement ids"
  }
}

run "no_statements_pinned_no_policy_and_no_read" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
    deny_cidrs      = []
    enable_tls_only = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0 && length(data.aws_s3_bucket_policy.current) == 0
    error_message = "no statements and keep_policy false: no bucket policy and no drift check"
  }
}

run "no_statements_unknown_is_not_an_error" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "unknown"
    deny_cidrs      = []
    enable_tls_only = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0 && length(aws_s3_bucket_server_side_encryption_configuration.this) == 1 && length(aws_s3_bucket_public_access_block.this) == 1
    error_message = "no statements: \"unknown\" only matters for the bucket policy"
  }
}

run "keep_policy_writes_the_baseline_alone_when_ours_are_all_off" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
    deny_cidrs      = []
    enable_tls_only = false
    keep_policy     = true
  }

  # Live: the baseline with our statements of the last apply.
  override_data {
    target = data.aws_s3_bucket_policy.current
    values = {
      policy = "{\"Version\":\"2008-10-17\",\"Id\":\"ExamplePolicy\",\"Statement\":[{\"Sid\":\"EnforceTLSv12orHigher\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":1.2}}},{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"},{\"Sid\":\"TfremedyDenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::example-bucket\",\"arn:aws:s3:::example-bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"
    }
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1 && length(data.aws_s3_bucket_policy.current) == 1
    error_message = "keep_policy with a baseline of the team's: the policy stays managed (and checked)"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy) == merge(jsondecode(var.baseline_policy), { Statement = slice(jsondecode(var.baseline_policy).Statement, 0, 2) })
    error_message = "the policy must be the baseline less our statements (the rollback removes ours and nothing else)"
  }
  assert {
    condition     = length(output.policy_statement_ids) == 0 && output.statements_json == null
    error_message = "no statements of ours"
  }
}

run "keep_policy_with_a_baseline_of_ours_only_writes_nothing" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "restore"
    deny_cidrs      = []
    enable_tls_only = false
    keep_policy     = true
    baseline_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"TfremedyDenyThreatIps\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.99/32\"}}}]}"
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0 && output.policy_json == null
    error_message = "nothing of the team's to keep: no policy (an empty Statement list is not a policy)"
  }
}

run "keep_policy_with_none_writes_nothing" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "none"
    deny_cidrs      = []
    enable_tls_only = false
    keep_policy     = true
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0
    error_message = "\"none\" has no baseline to keep"
  }
}

run "keep_policy_with_read_keeps_the_live_policy" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "read"
    deny_cidrs      = []
    enable_tls_only = false
    keep_policy     = true
  }

  override_data {
    target = data.aws_s3_bucket_policy.live
    values = {
      policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"TheirStatement\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"},{\"Sid\":\"TfremedyDenyThreatIps\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.99/32\"}}}]}"
    }
  }

  assert {
    condition     = length(data.aws_s3_bucket_policy.live) == 1 && [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TheirStatement"]
    error_message = "keep_policy with \"read\": the live policy is read and written back without ours"
  }
}

run "without_keep_policy_switching_all_off_writes_nothing" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "restore"
    deny_cidrs      = []
    enable_tls_only = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0
    error_message = "keep_policy defaults to false: no statements, no policy"
  }
}

run "managed_elsewhere_writes_no_policy_and_hands_over_ours" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy          = "pinned"
    keep_policy              = true
    policy_managed_elsewhere = true
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0 && length(data.aws_s3_bucket_policy.current) == 0 && length(data.aws_s3_bucket_policy.live) == 0
    error_message = "a policy managed elsewhere is neither written nor read here"
  }
  assert {
    condition     = output.policy_json == null && output.manages.policy == false
    error_message = "policy_json is null and manages.policy false when the policy is managed elsewhere"
  }
  assert {
    condition     = jsondecode(output.statements_json) == { Version = "2012-10-17", Statement = jsondecode(output.statements_json).Statement } && [for s in jsondecode(output.statements_json).Statement : s.Sid] == ["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"]
    error_message = "statements_json is our statements alone, as a 2012-10-17 document"
  }
}

run "deny_ips_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "none"
    enable_tls_only = false
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TfremedyDenyThreatIps"]
    error_message = "deny_cidrs alone must still write the policy, with the deny statement only"
  }
  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyDenyThreatIps"])
    error_message = "only the deny statement id"
  }
}

run "tls_only_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "none"
    deny_cidrs      = []
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"]
    error_message = "enable_tls_only alone must still write the policy, with the TLS statements only"
  }
  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"])
    error_message = "only the TLS statement ids"
  }
}
