# remove_statements (tfremedy harden --remove-public): live statements listed there are left out of
# the policy; the comparison uses jsonencode's form, which tfremedy's policy::canonical_json must
# reproduce byte for byte (the string below is what tfremedy writes for the public statement, with
# the <, > and & that jsonencode escapes). A listed statement that is not live is ignored.

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
}

run "the_public_statement_is_left_out_and_the_others_kept" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    remove_statements = ["{\"Action\":\"s3:GetObject\",\"Condition\":{\"StringLike\":{\"aws:Referer\":[\"https://\\u003cpartner\\u003e\\u0026co.example/*\"]}},\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Sid\":\"PublicRead\"}"]
  }

  assert {
    condition     = output.removed_statements == ["{\"Action\":\"s3:GetObject\",\"Condition\":{\"StringLike\":{\"aws:Referer\":[\"https://\\u003cpartner\\u003e\\u0026co.example/*\"]}},\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Sid\":\"PublicRead\"}"]
    error_message = "Terraform's jsonencode of the live statement must equal what tfremedy wrote"
  }
  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.merged[0].source_policy_documents[0]).Statement : s.Sid] == ["Keep", "DenyInsecure"]
    error_message = "every other live statement must be kept, in order"
  }
  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1
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
    condition     = length(jsondecode(data.aws_iam_policy_document.merged[0].source_policy_documents[0]).Statement) == 3
    error_message = "all three live statements must be kept"
  }
}

run "without_remove_statements_the_live_policy_is_merged_as_it_is" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    enable_tls_only = true
  }

  assert {
    condition     = data.aws_iam_policy_document.merged[0].source_policy_documents == tolist(data.aws_s3_bucket_policy.live[*].policy)
    error_message = "the live policy must be the source document, untouched"
  }
}
