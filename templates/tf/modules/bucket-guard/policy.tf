# The bucket policy. A bucket has one policy and writing it replaces all of it, so the document this
# module writes is the reviewed baseline (var.baseline_policy, pinned in tfremedy_data.tf) with our
# statements appended, merged as data: jsondecode, drop the Tfremedy* Sids (ours, rebuilt from the
# data every plan), append, jsonencode. Nothing of the team's goes through aws_iam_policy_document,
# which silently drops numeric condition values (terraform-provider-aws #27020, #26485: AWS's own
# `"NumericLessThan": {"s3:TlsVersion": 1.2}` would become an unconditional deny for everyone), bumps
# Version and fails on duplicate Sids. See NOTES.md.
locals {
  # can(list[0]): the list is non-empty.
  deny_ips = can(var.deny_cidrs[0])

  # The allow-list locks out everyone it does not exempt, so it needs a break-glass principal and
  # (unless explicitly waived) a VPC endpoint exemption. Its Sid counts as soon as allow_cidrs is
  # set, so the policy is planned and its preconditions report what is missing; the statement
  # itself is only built when both hold (fail safe: no half-exempted allow-list is ever rendered,
  # and no condition gets an empty value list).
  allow_list             = can(var.allow_cidrs[0])
  allow_list_break_glass = anytrue([contains([false], local.allow_list), can(var.break_glass_principal_arns[0])])
  allow_list_vpc_ok = anytrue([
    contains([false], local.allow_list),
    can(var.allow_vpce_ids[0]),
    can(var.allow_vpc_ids[0]),
    var.allow_no_vpc_exemption,
  ])
  allow_list_statement = alltrue([local.allow_list, local.allow_list_break_glass, local.allow_list_vpc_ok])

  # The Sids this module writes: only these are ours. A team statement whose Sid merely starts with
  # "Tfremedy" is the team's, carried over and checked like any other.
  owned_sids = ["TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls", "TfremedyAllowListOnly"]

  statement_ids = concat(
    local.deny_ips ? ["TfremedyDenyThreatIps"] : [],
    var.enable_tls_only ? ["TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"] : [],
    local.allow_list ? ["TfremedyAllowListOnly"] : [],
  )
  remove_statements = can(var.remove_statements[0])
  has_statements    = can(local.statement_ids[0])
  # When the team's own code manages the bucket policy, ours is only handed over as a document
  # (output statements_json) for that code to compose; a second aws_s3_bucket_policy would fight it.
  # Once our statements were in the policy, switching them all off writes the baseline alone (so
  # the rollback removes ours and nothing else) instead of destroying the policy.
  baseline_statements = flatten([for t in var.baseline_policy[*] : [jsondecode(t).Statement]])
  baseline_keeps      = anytrue([for s in local.baseline_statements : contains([false], try(contains(local.owned_sids, s.Sid), false))])
  keeps_base = alltrue([
    var.keep_policy,
    anytrue([contains(["read"], var.existing_policy), alltrue([contains(["pinned", "restore"], var.existing_policy), local.baseline_keeps])]),
  ])
  manage_policy = alltrue([
    anytrue([local.has_statements, local.remove_statements, local.keeps_base]),
    contains([false], var.policy_managed_elsewhere),
  ])

  # Our statements, as plain objects (condition values as lists, Resource as [bucket, bucket/*]):
  # tfremedy's PR shows the document byte for byte as jsonencode writes it.
  deny_ips_statements = local.deny_ips ? [{
    Sid       = "TfremedyDenyThreatIps"
    Effect    = "Deny"
    Principal = "*"
    Action    = "s3:*"
    Resource  = local.bucket_arns
    Condition = { IpAddress = { "aws:SourceIp" = var.deny_cidrs } }
  }] : []
  tls_only_statements = var.enable_tls_only ? [
    {
      Sid       = "TfremedyDenyInsecureTransport"
      Effect    = "Deny"
      Principal = { AWS = "*" }
      Action    = "s3:*"
      Resource  = local.bucket_arns
      Condition = { Bool = { "aws:SecureTransport" = ["false"] } }
    },
    {
      Sid       = "TfremedyDenyOutdatedTls"
      Effect    = "Deny"
      Principal = { AWS = "*" }
      Action    = "s3:*"
      Resource  = local.bucket_arns
      Condition = { NumericLessThan = { "s3:TlsVersion" = [var.min_tls_version] } }
    },
  ] : []
  # Deny unless the request comes from allow_cidrs, through an allowed VPC endpoint or VPC, from or
  # via an AWS service, or from a break-glass principal. Condition operators are ANDed, so the deny
  # applies only when every exemption is missing. Requests through a VPC endpoint have no public
  # aws:SourceIp (NotIpAddress is then true): without a VPC exemption they are denied.
  allow_list_statements = local.allow_list_statement ? [{
    Sid       = "TfremedyAllowListOnly"
    Effect    = "Deny"
    Principal = "*"
    Action    = "s3:*"
    Resource  = local.bucket_arns
    Condition = merge(
      {
        NotIpAddress       = { "aws:SourceIp" = var.allow_cidrs }
        BoolIfExists       = { "aws:PrincipalIsAWSService" = ["false"], "aws:ViaAWSService" = ["false"] }
        ArnNotLikeIfExists = { "aws:PrincipalArn" = var.break_glass_principal_arns }
      },
      # Only when given: an empty value list would exempt nothing.
      anytrue([can(var.allow_vpce_ids[0]), can(var.allow_vpc_ids[0])]) ? {
        StringNotEqualsIfExists = merge(
          can(var.allow_vpce_ids[0]) ? { "aws:SourceVpce" = var.allow_vpce_ids } : {},
          can(var.allow_vpc_ids[0]) ? { "aws:SourceVpc" = var.allow_vpc_ids } : {},
        )
      } : {},
    )
  }] : []
  our_statements = concat(local.deny_ips_statements, local.tls_only_statements, local.allow_list_statements)

  # The document ours is merged into: the pinned baseline ("pinned", "restore"; "none" is an empty
  # one), or the live policy read at plan time ("read", only when set by hand: it adopts what is live).
  pinned = contains(["pinned", "restore", "none"], var.existing_policy)
  base_texts = contains(["pinned", "restore"], var.existing_policy) ? var.baseline_policy[*] : (
    contains(["read"], var.existing_policy) ? data.aws_s3_bucket_policy.live[*].policy : []
  )
  base_documents = [for t in local.base_texts : jsondecode(t)]
  # [x] flattened is x's statements whether Statement is one object or a list of them. A statement
  # with one of owned_sids is ours from an earlier apply: rebuilt from the data, never read back (so a
  # CIDR moved to ignore_cidrs, or tls_only = false, really removes it).
  base_statements = flatten([for d in local.base_documents : [d.Statement]])
  kept_statements = [for s in local.base_statements : s if alltrue([
    contains([false], try(contains(local.owned_sids, s.Sid), false)),
    contains([false], contains(var.remove_statements, jsonencode(s))),
  ])]
  removed_statements = [
    for s in local.base_statements : jsonencode(s) if contains(var.remove_statements, jsonencode(s))
  ]
  # Version and Id (and any other top-level key) stay as the baseline has them: a policy without
  # Version is read as 2008-10-17, where ${...} is literal text, so none is added to it. Only a new
  # policy gets 2012-10-17 (IAM User Guide, "IAM JSON policy elements: Version").
  document = merge(
    concat(local.base_documents, [{ Version = "2012-10-17" }])[0],
    { Statement = concat(local.kept_statements, local.our_statements) },
  )
  policy_json = jsonencode(local.document)

  # Fail safe: every statement of the baseline that is not ours or removed on purpose is in the
  # document, equal as JSON.
  policy_statements_json = [for s in local.document.Statement : jsonencode(s)]
  carried_over           = alltrue([for s in local.kept_statements : contains(local.policy_statements_json, jsonencode(s))])

  # S3 counts bytes (UTF-8); length() counts grapheme clusters. Code points, plus one for each that
  # needs 2, 3 or 4 bytes, is the byte count.
  policy_bytes = sum([
    length(regexall("(?s).", local.policy_json)),
    length(regexall("[^\\x00-\\x7F]", local.policy_json)),
    length(regexall("[^\\x00-\\x{7FF}]", local.policy_json)),
    length(regexall("[^\\x00-\\x{FFFF}]", local.policy_json)),
  ])
  # max(limit, n) is the limit exactly when n <= limit.
  policy_fits = contains([var.policy_size_limit], max(var.policy_size_limit, local.policy_bytes))

  # Drift (data.aws_s3_bucket_policy.current): the live policy, once this module's own statements
  # are left out, must still be the reviewed baseline (less what remove_statements leaves out),
  # statement for statement, with the same Version and Id. Compared as sorted JSON so that an order
  # AWS chooses does not count.
  expected_top        = jsonencode({ for k, v in local.document : k => v if contains(["Statement"], k) ? false : true })
  expected_statements = sort([for s in local.kept_statements : jsonencode(s)])
}

# "read" (set by hand): the live policy is the base, read at plan time and adopted as it is.
data "aws_s3_bucket_policy" "live" {
  count  = alltrue([local.manage_policy, contains(["read"], var.existing_policy)]) ? 1 : 0
  bucket = var.bucket

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

# "pinned": the live policy, compared with the baseline at plan time, so that a statement added or
# removed out of band since the review stops the plan instead of being overwritten or adopted. Not
# read otherwise: the read fails on a bucket without a policy (terraform-provider-aws #35818), which
# is also why a policy deleted since the review stops the plan here; "restore" then writes the
# baseline without reading (NOTES.md).
data "aws_s3_bucket_policy" "current" {
  count  = alltrue([local.manage_policy, contains(["pinned"], var.existing_policy)]) ? 1 : 0
  bucket = var.bucket

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }

    postcondition {
      condition = alltrue([
        contains([local.expected_top], jsonencode({ for k, v in jsondecode(self.policy) : k => v if contains(["Statement"], k) ? false : true })),
        contains([jsonencode(local.expected_statements)], jsonencode(sort([
          for s in flatten([jsondecode(self.policy).Statement]) : jsonencode(s) if alltrue([
            contains([false], try(contains(local.owned_sids, s.Sid), false)),
            contains([false], contains(var.remove_statements, jsonencode(s))),
          ])
        ]))),
      ])
      error_message = <<-EOT
        tfremedy: bucket ${var.bucket}: the live bucket policy is no longer the one reviewed in this change (baseline_policy in tfremedy_data.tf). Nothing has been changed. It was changed out of band: check who (CloudTrail PutBucketPolicy), then run tfremedy again with --from-aws (or --inventory) to pin the current policy for review.
        Version and Id reviewed: ${local.expected_top}
        Version and Id live:     ${jsonencode({ for k, v in jsondecode(self.policy) : k => v if contains(["Statement"], k) ? false : true })}
        Statements live but not reviewed:
        ${join("\n", setsubtract([for s in flatten([jsondecode(self.policy).Statement]) : jsonencode(s) if alltrue([contains([false], try(contains(local.owned_sids, s.Sid), false)), contains([false], contains(var.remove_statements, jsonencode(s)))])], local.expected_statements))}
        Statements reviewed but not live:
        ${join("\n", setsubtract(local.expected_statements, [for s in flatten([jsondecode(self.policy).Statement]) : jsonencode(s)]))}
      EOT
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  count  = local.manage_policy ? 1 : 0
  bucket = var.bucket
  policy = local.policy_json

  lifecycle {
    # Deleting the policy would also delete the statements merged in from the baseline.
    # To stop managing it, use a removed block (Terraform 1.7+) or terraform state rm.
    prevent_destroy = true

    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }

    precondition {
      condition     = anytrue([local.pinned, contains(["read"], var.existing_policy)])
      error_message = "tfremedy: bucket ${var.bucket}: nobody has said whether the bucket already has a bucket policy. Run tfremedy again with --from-aws, --inventory or --bucket-policy ${var.bucket}=FILE (from: aws s3api get-bucket-policy --bucket ${var.bucket}) to pin the current policy for review, or set existing_policy to \"none\" in tfremedy_data.tf if it has none. Nothing has been changed."
    }

    precondition {
      condition     = contains(["pinned", "restore"], var.existing_policy) ? can(length(var.baseline_policy)) : true
      error_message = "tfremedy: bucket ${var.bucket}: existing_policy is \"${var.existing_policy}\" but baseline_policy is null: pin the reviewed policy (run tfremedy again with --from-aws or --inventory). Nothing has been changed."
    }

    precondition {
      condition     = local.carried_over
      error_message = "tfremedy: bucket ${var.bucket}: a statement of the current policy would not be carried over unchanged. Nothing has been changed."
    }

    precondition {
      condition     = local.allow_list_break_glass
      error_message = "tfremedy: an allow-list without a break-glass principal can lock everyone out of bucket ${var.bucket}, including you: set break_glass_principal_arns."
    }

    precondition {
      condition     = local.allow_list_vpc_ok
      error_message = "tfremedy: bucket ${var.bucket}: the allow-list would also deny every request through a VPC endpoint (those carry no public source address): set allow_vpce_ids or allow_vpc_ids, or set allow_no_vpc_exemption = true if that is intended."
    }

    precondition {
      condition     = local.policy_fits
      error_message = "tfremedy: bucket ${var.bucket}: the merged bucket policy is ${local.policy_bytes} bytes, over the limit of ${var.policy_size_limit}. Aggregate deny_cidrs into wider CIDRs, or block with an allow-list, a VPC endpoint policy or an organization resource control policy instead. Nothing has been changed."
    }
  }
}
