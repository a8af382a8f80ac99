# The root in main.tf: the module called the way the generated root calls it (for_each over a map
# shaped like tfremedy_data.tf, sse_algorithm null for the default, the allow-list keys present on
# one bucket only and read with try()).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

run "generated_root_shape_plans" {
  command = plan

  assert {
    condition     = tolist(output.policy_statement_ids["example-findings-data"]) == tolist(["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"])
    error_message = "the bucket with deny_cidrs gets all three statements"
  }
  assert {
    condition     = tolist(output.policy_statement_ids["example-findings-archive"]) == tolist(["TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"])
    error_message = "the bucket without deny_cidrs gets the TLS statements"
  }
  assert {
    condition     = tolist(output.policy_statement_ids["example-findings-allowlisted"]) == tolist(["TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls", "TfremedyAllowListOnly"])
    error_message = "the bucket with an allow-list gets the TLS statements and TfremedyAllowListOnly"
  }
}
