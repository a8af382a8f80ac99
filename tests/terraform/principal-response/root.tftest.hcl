# The root in main.tf: the module called the way the generated root calls it (for_each over a map
# shaped like tfremedy_data.tf, null for defaults).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

# Stands in for the import the tool writes to root/tfremedy_imports.tf (here it would be
# import { to = module.principal_response["iam-user/example-ci"].aws_iam_access_key.this[0] ... }).
# The import block itself is not in main.tf: mock providers cannot import, and the validators'
# schema check rejects import targets inside child modules. The override at that address shows
# the address exists and that the key's postcondition accepts the imported id.
override_resource {
  target          = module.principal_response["iam-user/example-ci"].aws_iam_access_key.this[0]
  override_during = plan
  values          = { id = "AKIAIOSFODNN7EXAMPLE", user = "example-ci", status = "Inactive" }
}

run "generated_root_shape_plans" {
  command = plan

  assert {
    condition     = output.access_key_managed == { "iam-user/example-ci" = true, "iam-user/example-dev" = false, "assumed-role/example-app" = false }
    error_message = "only the AKIA key of an iam-user is managed"
  }
  assert {
    condition     = output.quarantine_policy_arn["iam-user/example-ci"] == "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3" && output.quarantine_policy_arn["iam-user/example-dev"] == "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3" && output.quarantine_policy_arn["assumed-role/example-app"] == null
    error_message = "both users are quarantined, the role is not"
  }
  assert {
    condition     = output.mfa_policy_json["iam-user/example-ci"] == null && output.mfa_policy_json["iam-user/example-dev"] != null && output.mfa_policy_json["assumed-role/example-app"] == null
    error_message = "MFA is required of example-dev only (require_mfa = null takes the default false)"
  }
  assert {
    condition     = output.revoke_policy_json["assumed-role/example-app"] != null && output.revoke_policy_json["iam-user/example-ci"] == null
    error_message = "only the role gets a revocation policy"
  }
  assert {
    condition     = module.principal_response["iam-user/example-ci"].access_key_managed
    error_message = "the import address module.principal_response[\"iam-user/example-ci\"].aws_iam_access_key.this[0] must exist"
  }
}
