# remove_statements (tfremedy harden --remove-public): statements of the base policy listed there are
# left out of the document; the comparison uses jsonencode's form, which tfremedy's
# policy::canonical_json must reproduce byte for byte (the string below is what tfremedy writes for
# the public statement, with the <, > and & that jsonencode escapes). A listed statement that is
# not in the base is ignored. Checked on the document for "read" (the live policy is the base),
# "restore" and "pinned" (the baseline is the base), and for "pinned" the drift check: the live
# policy may still hold the listed statement (first apply) or no longer hold it (after the apply,
# or put back by hand and so removed again), but any other change still stops the plan.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

override_data {
  target = data.aws_s3_bucket_policy.live[0]
  values = {
    policy = <<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "Keep",
            "Effect": "Allow",
            "Principal": {
              "AWS": "arn:aws:iam::111122223333:role/reader"
            },
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::example-bucket/*"
          },
          {
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::example-bucket/*",
            "Condition": {
              "StringLike": {
                "aws:Referer": [
                  "https://<partner>&co.example/*"
                ]
              }
            }
          },
          {
            "Sid": "DenyInsecure",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [
              "arn:aws:s3:::example-bucket",
              "arn:aws:s3:::example-bucket/*"
            ],
            "Condition": {
              "Bool": {
                "aws:SecureTransport": "false"
              }
            }
          }
        ]
      }
    EOT
  }
}

variables {
  bucket          = "example-bucket"
  account_id      = "111122223333"
  existing_policy = "read"
  enable_tls_only = false
  # The same policy as the live one above, pinned for "pinned" and "restore".
  baseline_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Keep\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"},{\"Sid\":\"PublicRead\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"StringLike\":{\"aws:Referer\":[\"https://<partner>&co.example/*\"]}}},{\"Sid\":\"DenyInsecure\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::example-bucket\",\"arn:aws:s3:::example-bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"
  # What tfremedy writes for PublicRead.
  remove_statements = ["{\"Action\":\"s3:GetObject\",\"Condition\":{\"StringLike\":{\"aws:Referer\":[\"https://\\u003cpartner\\u003e\\u0026co.example/*\"]}},\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Sid\":\"PublicRead\"}"]
}

run "the_public_statement_is_left_out_and_the_others_kept" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }

  assert {
    condition     = output.removed_statements == ["{\"Action\":\"s3:GetObject\",\"Condition\":{\"StringLike\":{\"aws:Referer\":[\"https://\\u003cpartner\\u003e\\u0026co.example/*\"]}},\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Sid\":\"PublicRead\"}"]
    error_message = "Terraform's jsonencode of the live statement must equal what tfremedy wrote"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement == [jsondecode(data.aws_s3_bucket_policy.live[0].policy).Statement[0], jsondecode(data.aws_s3_bucket_policy.live[0].policy).Statement[2]]
    error_message = "every other live statement must be kept, unchanged and in order, and nothing else written"
  }
  assert {
    condition     = !strcontains(aws_s3_bucket_policy.this[0].policy, "PublicRead") && !strcontains(aws_s3_bucket_policy.this[0].policy, "partner")
    error_message = "the public statement must not be in the policy"
  }
  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1 && output.manages.policy
    error_message = "removing a statement alone must plan the policy"
  }
}

run "a_statement_no_longer_live_is_ignored" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    remove_statements = ["{\"Action\":\"s3:GetObject\",\"Condition\":{\"StringLike\":{\"aws:Referer\":[\"https://\\u003cpartner\\u003e\\u0026co.example/*\"]}},\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Sid\":\"Gone\"}"]
  }

  assert {
    condition     = output.removed_statements == []
    error_message = "nothing live matches, nothing is removed"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement == jsondecode(data.aws_s3_bucket_policy.live[0].policy).Statement
    error_message = "all three live statements must be kept"
  }
}

run "the_listed_form_must_match_exactly" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    # The same statement with the raw <, > and &, as jsonencode does not write it: not a match.
    remove_statements = ["{\"Action\":\"s3:GetObject\",\"Condition\":{\"StringLike\":{\"aws:Referer\":[\"https://<partner>&co.example/*\"]}},\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Sid\":\"PublicRead\"}"]
  }

  assert {
    condition     = output.removed_statements == [] && length(jsondecode(aws_s3_bucket_policy.this[0].policy).Statement) == 3
    error_message = "only jsonencode's exact form removes a statement"
  }
}

run "without_remove_statements_the_live_policy_is_kept_as_it_is" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_tls_only   = true
    remove_statements = []
  }

  assert {
    condition     = slice(jsondecode(aws_s3_bucket_policy.this[0].policy).Statement, 0, 3) == jsondecode(data.aws_s3_bucket_policy.live[0].policy).Statement
    error_message = "the live statements must be kept, untouched, before ours"
  }
  assert {
    condition     = [for s in slice(jsondecode(aws_s3_bucket_policy.this[0].policy).Statement, 3, 5) : s.Sid] == ["TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"]
    error_message = "ours follow"
  }
}

run "restore_leaves_it_out_of_the_baseline" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "restore"
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["Keep", "DenyInsecure"] && length(data.aws_s3_bucket_policy.live) == 0
    error_message = "\"restore\": the baseline less the listed statement, nothing read"
  }
  assert {
    condition     = length(output.removed_statements) == 1
    error_message = "removed_statements names what the plan leaves out of the baseline"
  }
}

run "pinned_first_apply_the_statement_is_still_live" {
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
      policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Keep\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"},{\"Sid\":\"PublicRead\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"StringLike\":{\"aws:Referer\":[\"https://<partner>&co.example/*\"]}}},{\"Sid\":\"DenyInsecure\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::example-bucket\",\"arn:aws:s3:::example-bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"
    }
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["Keep", "DenyInsecure"]
    error_message = "\"pinned\": the baseline less the listed statement"
  }
}

run "pinned_after_the_apply_the_statement_is_gone" {
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
      policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Keep\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"},{\"Sid\":\"DenyInsecure\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::example-bucket\",\"arn:aws:s3:::example-bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"
    }
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["Keep", "DenyInsecure"]
    error_message = "a removed statement that is no longer live is not drift"
  }
}

run "pinned_other_drift_still_fails" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
  }

  # PublicRead gone, but another public statement added out of band.
  override_data {
    target = data.aws_s3_bucket_policy.current
    values = {
      policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Keep\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"},{\"Sid\":\"DenyInsecure\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::example-bucket\",\"arn:aws:s3:::example-bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}},{\"Sid\":\"PublicList\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::example-bucket\"}]}"
    }
  }

  expect_failures = [data.aws_s3_bucket_policy.current]
}
