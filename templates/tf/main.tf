# One guard per bucket named by the findings. What comes from findings is data, in tfremedy_data.tf;
# the guard itself is the module under modules/bucket-guard.
module "bucket_guard" {
  source   = "./modules/bucket-guard"
  for_each = local.tfremedy_buckets

  bucket                     = each.key
  account_id                 = each.value.account_id
  existing_policy            = each.value.existing_policy
  deny_cidrs                 = each.value.deny[*].cidr
  enable_tls_only            = each.value.tls_only
  enable_default_encryption  = each.value.default_encryption
  sse_algorithm              = each.value.sse_algorithm
  kms_key_arn                = try(coalesce(each.value.kms_key_arn, var.kms_key_arn), null)
  enable_public_access_block = each.value.public_access_block
}
