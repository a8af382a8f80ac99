# Root for `terraform test` (the *.tftest.hcl files here; run by tests/module_behaviour.rs through
# tools/tf-validators/tools/tftest.py) and a validation fixture for validate-tf.sh: it calls the
# principal-response module the way the generated root does, with a local map shaped like
# tfremedy_data.tf. The other test files test the module on its own through run blocks with a
# module block.
locals {
  tfremedy_principals = {
    "iam-user/example-ci" = {
      account_id         = "111122223333"
      kind               = "iam-user"
      name               = "example-ci"
      access_key_id      = "AKIAIOSFODNN7EXAMPLE"
      key_import_in_root = true
      require_mfa        = false
      revoke_before      = null
    }
    "iam-user/example-dev" = {
      account_id         = "111122223333"
      kind               = "iam-user"
      name               = "example-dev"
      access_key_id      = "ASIAIOSFODNN7EXAMPLE"
      key_import_in_root = false
      require_mfa        = true
      revoke_before      = null
    }
    "assumed-role/example-app" = {
      account_id         = "111122223333"
      kind               = "assumed-role"
      name               = "example-app"
      access_key_id      = "ASIAIOSFODNN7EXAMPL2"
      key_import_in_root = false
      require_mfa        = null
      revoke_before      = "2022-01-28T21:12:25Z"
    }
  }
}

module "principal_response" {
  source   = "../../../templates/tf/modules/principal-response"
  for_each = local.tfremedy_principals

  account_id             = each.value.account_id
  kind                   = each.value.kind
  name                   = each.value.name
  access_key_id          = each.value.access_key_id
  key_import_in_root     = each.value.key_import_in_root
  require_mfa            = each.value.require_mfa
  revoke_sessions_before = each.value.revoke_before
}

output "access_key_managed" {
  value = { for k, m in module.principal_response : k => m.access_key_managed }
}

output "quarantine_policy_arn" {
  value = { for k, m in module.principal_response : k => m.quarantine_policy_arn }
}

output "revoke_policy_json" {
  value = { for k, m in module.principal_response : k => m.revoke_policy_json }
}

output "mfa_policy_json" {
  value = { for k, m in module.principal_response : k => m.mfa_policy_json }
}
