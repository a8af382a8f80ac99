# One entry per bucket. Keys:
#   existing_policy  "unknown": the plan stops until you say whether the bucket already has a policy;
#                    "pinned": it has the one in baseline_policy, as reviewed: the guard writes that
#                    one with tfremedy's statements appended, and the plan stops if the live policy
#                    has changed since (re-run tfremedy with --from-aws or --inventory to review it);
#                    "restore": the same without reading the live policy (for one deleted since);
#                    "none": it has none; "read" (by hand only): the live policy is read at plan
#                    time and kept as it is, unchecked.
#   deny             caller IPs to deny, one per line, with the finding that named each. To stop blocking
#                    one, move its CIDR to ignore_cidrs: deleting the line alone is undone by the next run
#                    over the same finding.
#   tls_only, default_encryption, public_access_block, ownership_controls, versioning, access_logging
#                    a fix's switch: false turns it off (and stays off); null means no finding asked for
#                    it on this bucket yet. sse_algorithm is "aws:kms" or "aws:kms:dsse";
#                    kms_key_arn null means var.kms_key_arn (the AWS-managed aws/s3 key when unset).
#   bucket_tags      the bucket's tags when GuardDuty saw it (who owns it); not applied to anything.
#   allow_cidrs, allow_vpce_ids, allow_vpc_ids, break_glass_principal_arns
#                    the opt-in allow-list (tfremedy harden --allow-cidrs): everything else is denied,
#                    except VPC endpoint traffic, AWS services and the break-glass principals.
#   remove_statements  statements left out of the live policy (tfremedy harden --remove-public), as
#                    jsonencode writes them; one put back by hand is removed again at the next apply.
#   managed_elsewhere  what your own Terraform already manages for the bucket (--terraform-dir): the
#                    guard creates none of it; PULL_REQUEST.md says what to change in that code.
#
# tfremedy_monitor: the account-level trail, alarms and GuardDuty alert (one account and region).
#   existing_log_group   an organisation trail's CloudWatch Logs group: alarms go there, no trail is made.
#   data_events, alarms, guardduty_alert, account_public_access_block   switches, as above.
#
# tfremedy_principals: the credential response, one entry per principal ("<kind>/<name>").
#   quarantine, deactivate_key, revoke_sessions, require_mfa   switches, as above (require_mfa is
#                        off unless turned on: it breaks programmatic use without MFA).
#   key_import_in_root   set to true once root/tfremedy_imports.tf is in your root module: until then
#                        the plan stops, because without the import Terraform would create a new key.
#
# tfremedy_ignore: what a human removed on purpose. Deleting an entry above is undone by the next run
#   over the same findings; listing its bucket name or principal key here keeps it out.
locals {
  tfremedy_buckets = {
{%- for name, b in plan.data.buckets %}
    "{{ name }}" = {
      account_id          = "{{ b.account_id }}"
      existing_policy     = "{{ b.existing_policy }}"
{%- if b.baseline_policy %}
      baseline_policy     = "{{ b.baseline_policy }}"
{%- endif %}
      tls_only            = {{ b.tls_only | hcl_bool }}
      default_encryption  = {{ b.default_encryption | hcl_bool }}
      sse_algorithm       = "{{ b.sse_algorithm }}"
      kms_key_arn         = {% if b.kms_key_arn %}"{{ b.kms_key_arn }}"{% else %}null{% endif %}
      public_access_block = {{ b.public_access_block | hcl_bool }}
      ownership_controls  = {{ b.ownership_controls | hcl_bool }}
      versioning          = {{ b.versioning | hcl_bool }}
      access_logging      = {{ b.access_logging | hcl_bool }}
      deny = [
{%- for d in b.deny %}
        { cidr = "{{ d.cidr }}", reason = "{{ d.reason }}" },
{%- endfor %}
      ]
      ignore_cidrs = [
{%- for c in b.ignore_cidrs %}
        "{{ c }}",
{%- endfor %}
      ]
      bucket_tags = {
{%- for k, v in b.bucket_tags %}
        "{{ k }}" = "{{ v }}"
{%- endfor %}
      }
{%- if b.allow_cidrs %}
      allow_cidrs = [
{%- for c in b.allow_cidrs %}
        "{{ c }}",
{%- endfor %}
      ]
      allow_vpce_ids = [
{%- for c in b.allow_vpce_ids %}
        "{{ c }}",
{%- endfor %}
      ]
      allow_vpc_ids = [
{%- for c in b.allow_vpc_ids %}
        "{{ c }}",
{%- endfor %}
      ]
      break_glass_principal_arns = [
{%- for c in b.break_glass_principal_arns %}
        "{{ c }}",
{%- endfor %}
      ]
{%- endif %}
{%- if b.remove_statements %}
      remove_statements = [
{%- for st in b.remove_statements %}
        "{{ st }}",
{%- endfor %}
      ]
{%- endif %}
{%- if b.managed_elsewhere %}
      managed_elsewhere = {
{%- for role, place in b.managed_elsewhere %}
        "{{ role }}" = "{{ place }}"
{%- endfor %}
      }
{%- endif %}
    }
{%- endfor %}
  }
{%- if plan.data.monitor %}
{%- set m = plan.data.monitor %}

  tfremedy_monitor = {
    account_id         = "{{ m.account_id }}"
    region             = "{{ m.region }}"
    existing_log_group = {% if m.existing_log_group %}"{{ m.existing_log_group }}"{% else %}null{% endif %}
    data_events        = {{ m.data_events | hcl_bool }}
    alarms             = {{ m.alarms | hcl_bool }}
    guardduty_alert    = {{ m.guardduty_alert | hcl_bool }}
    account_public_access_block = {{ m.account_public_access_block | hcl_bool }}
  }
{%- endif %}

  tfremedy_principals = {
{%- for key, p in plan.data.principals %}
    "{{ key }}" = {
      account_id             = "{{ p.account_id }}"
      kind                   = "{{ p.kind }}"
      name                   = "{{ p.name }}"
      access_key_id          = {% if p.access_key_id %}"{{ p.access_key_id }}"{% else %}null{% endif %}
      quarantine             = {{ p.quarantine | hcl_bool }}
      deactivate_key         = {{ p.deactivate_key | hcl_bool }}
      key_import_in_root     = {{ p.key_import_in_root | hcl_bool }}
      require_mfa            = {{ p.require_mfa | hcl_bool }}
      revoke_sessions        = {{ p.revoke_sessions | hcl_bool }}
      revoke_sessions_before = {% if p.revoke_sessions_before %}"{{ p.revoke_sessions_before }}"{% else %}null{% endif %}
    }
{%- endfor %}
  }

  tfremedy_ignore = {
    buckets = [
{%- for b in plan.data.ignore.buckets %}
      "{{ b }}",
{%- endfor %}
    ]
    principals = [
{%- for k in plan.data.ignore.principals %}
      "{{ k }}",
{%- endfor %}
    ]
  }
}
