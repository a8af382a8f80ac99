# existing_policy and the bucket policy: which mode reads the live policy, which fails, and what
# goes into the merge. The mocks cannot run aws_iam_policy_document, so the merge itself is not
# checked here, only what the module feeds into it (see NOTES.md, "The merge").

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
}

run "unknown_fails_on_the_policy_precondition_without_reading" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }

  # Only the policy fails: SSE and the public access block still plan.
  expect_failures = [aws_s3_bucket_policy.this]

  assert {
    condition     = length(data.aws_s3_bucket_policy.live) == 0
    error_message = "existing_policy = \"unknown\" must not read the live bucket policy"
  }
  assert {
    condition     = length(aws_s3_bucket_server_side_encryption_configuration.this) == 1 && length(aws_s3_bucket_public_access_block.this) == 1
    error_message = "SSE and the public access block should still be planned"
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

run "none_plans_the_policy_without_reading" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "none"
  }

  assert {
    condition     = length(data.aws_s3_bucket_policy.live) == 0
    error_message = "existing_policy = \"none\" must not read the live bucket policy"
  }
  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1
    error_message = "existing_policy = \"none\" must plan the bucket policy"
  }
  assert {
    condition     = length(coalesce(data.aws_iam_policy_document.merged[0].source_policy_documents, [])) == 0
    error_message = "with \"none\" nothing may be merged under our statements"
  }
  assert {
    condition     = data.aws_iam_policy_document.merged[0].override_policy_documents == tolist([data.aws_iam_policy_document.ours[0].json])
    error_message = "our statements must be the override document"
  }
  assert {
    condition     = aws_s3_bucket_policy.this[0].policy == data.aws_iam_policy_document.merged[0].minified_json
    error_message = "the bucket policy must be the merged document"
  }
  assert {
    condition     = output.policy_json == data.aws_iam_policy_document.merged[0].json
    error_message = "policy_json must be the merged document"
  }
}

run "read_reads_the_live_policy_and_merges_ours_over_it" {
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
      policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"TheirStatement\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}]}"
    }
  }

  assert {
    condition     = length(data.aws_s3_bucket_policy.live) == 1 && data.aws_s3_bucket_policy.live[0].bucket == "example-bucket"
    error_message = "existing_policy = \"read\" must read the live policy of this bucket"
  }
  assert {
    condition     = data.aws_iam_policy_document.merged[0].source_policy_documents == tolist([data.aws_s3_bucket_policy.live[0].policy])
    error_message = "the live policy must be the (only) source document"
  }
  assert {
    condition     = strcontains(data.aws_iam_policy_document.merged[0].source_policy_documents[0], "TheirStatement")
    error_message = "the live policy must be the source document"
  }
  assert {
    condition     = data.aws_iam_policy_document.merged[0].override_policy_documents == tolist([data.aws_iam_policy_document.ours[0].json])
    error_message = "our statements must be the override document, never a source document"
  }
  assert {
    condition     = aws_s3_bucket_policy.this[0].policy == data.aws_iam_policy_document.merged[0].minified_json
    error_message = "the bucket policy must be the merged document"
  }
}

run "ours_combines_deny_ips_and_tls_only" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "none"
  }

  assert {
    condition     = data.aws_iam_policy_document.ours[0].source_policy_documents == tolist([data.aws_iam_policy_document.deny_ips[0].json, data.aws_iam_policy_document.tls_only[0].json])
    error_message = "ours must combine deny_ips then tls_only"
  }
  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"])
    error_message = "statement ids must be in FixId order"
  }
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
    condition     = length(aws_s3_bucket_policy.this) == 0 && length(data.aws_iam_policy_document.merged) == 0 && length(data.aws_iam_policy_document.ours) == 0
    error_message = "no statements: no bucket policy"
  }
  assert {
    condition     = length(data.aws_s3_bucket_policy.live) == 0
    error_message = "no statements: the live policy must not be read, even with \"read\""
  }
  assert {
    condition     = output.policy_json == null && length(output.policy_statement_ids) == 0
    error_message = "no statements: policy_json null and no statement ids"
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
    condition     = length(aws_s3_bucket_policy.this) == 0 && length(aws_s3_bucket_server_side_encryption_configuration.this) == 1
    error_message = "no statements: \"unknown\" only matters for the bucket policy"
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
    condition     = length(aws_s3_bucket_policy.this) == 1 && length(data.aws_iam_policy_document.tls_only) == 0
    error_message = "deny_cidrs alone must still write the policy"
  }
  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyDenyThreatIps"])
    error_message = "only the deny statement"
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
    condition     = length(aws_s3_bucket_policy.this) == 1 && length(data.aws_iam_policy_document.deny_ips) == 0
    error_message = "enable_tls_only alone must still write the policy"
  }
  assert {
    condition     = tolist(output.policy_statement_ids) == tolist(["TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"])
    error_message = "only the TLS statements"
  }
}
