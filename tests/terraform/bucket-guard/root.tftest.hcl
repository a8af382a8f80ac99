# The root in main.tf: the module called the way the generated root calls it (for_each over a map
# shaped like tfremedy_data.tf, sse_algorithm null for the default, baseline_policy and keep_policy
# on the pinned bucket only and the allow-list keys on one bucket only, all read with try()). It
# plans; the statement ids and the planned document of each bucket are checked, the pinned one
# with its drift check fed the reviewed policy.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

override_data {
  target = module.bucket_guard["example-findings-data"].data.aws_s3_bucket_policy.current
  values = {
    policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"EnforceTLSv12orHigher\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-findings-data/*\",\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":1.2}}}]}"
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
  assert {
    condition     = [for s in jsondecode(output.policy_json["example-findings-data"]).Statement : s.Sid] == ["EnforceTLSv12orHigher", "TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"]
    error_message = "the pinned bucket's policy is its baseline with ours appended"
  }
  assert {
    condition     = strcontains(output.policy_json["example-findings-data"], "\"Condition\":{\"NumericLessThan\":{\"s3:TlsVersion\":1.2}}")
    error_message = "AWS's TLS statement keeps the number 1.2"
  }
  assert {
    condition     = jsondecode(output.policy_json["example-findings-data"]).Statement[1].Condition.IpAddress["aws:SourceIp"] == ["198.51.100.23/32", "2001:db8::7/128"]
    error_message = "the pinned bucket denies its CIDRs"
  }
  assert {
    condition     = [for s in jsondecode(output.policy_json["example-findings-archive"]).Statement : s.Sid] == ["TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"] && jsondecode(output.policy_json["example-findings-archive"]).Version == "2012-10-17"
    error_message = "the bucket without a policy gets ours alone, Version 2012-10-17"
  }
  assert {
    condition     = alltrue([for s in jsondecode(output.policy_json["example-findings-allowlisted"]).Statement : contains(s.Resource, "arn:aws:s3:::example-findings-allowlisted")])
    error_message = "every policy is on its own bucket"
  }
}
