# One entry per bucket. Keys:
#   existing_policy  "unknown": the plan stops until you say whether the bucket already has a policy;
#                    "read": it has one, which is read at plan time and kept, statement by statement;
#                    "none": it has none.
#   deny             caller IPs to deny, one per line, with the finding that named each. To stop blocking
#                    one, move its CIDR to ignore_cidrs: deleting the line alone is undone by the next run
#                    over the same finding.
#   tls_only, default_encryption, public_access_block
#                    switch a fix off with false. sse_algorithm is "aws:kms" or "aws:kms:dsse";
#                    kms_key_arn null means var.kms_key_arn (the AWS-managed aws/s3 key when unset).
#   bucket_tags      the bucket's tags when GuardDuty saw it (who owns it); not applied to anything.
#
# tfremedy_monitor: the account-level trail, alarms and GuardDuty alert (one account and region).
#   existing_log_group   an organisation trail's CloudWatch Logs group: alarms go there, no trail is made.
#   data_events, alarms, guardduty_alert   switch a fix off with false.
#
# tfremedy_principals: the credential response, one entry per principal ("<kind>/<name>").
#   quarantine, deactivate_key, revoke_sessions, require_mfa   switch a fix off (or require_mfa on).
#   key_import_in_root   set to true once root/tfremedy_imports.tf is in your root module: until then
#                        the plan stops, because without the import Terraform would create a new key.
locals {
  tfremedy_buckets = {
{%- for name, b in plan.data.buckets %}
    "{{ name }}" = {
      account_id          = "{{ b.account_id }}"
      existing_policy     = "{{ b.existing_policy }}"
      tls_only            = {% if b.tls_only %}true{% else %}false{% endif %}
      default_encryption  = {% if b.default_encryption %}true{% else %}false{% endif %}
      sse_algorithm       = "{{ b.sse_algorithm }}"
      kms_key_arn         = {% if b.kms_key_arn %}"{{ b.kms_key_arn }}"{% else %}null{% endif %}
      public_access_block = {% if b.public_access_block %}true{% else %}false{% endif %}
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
    }
{%- endfor %}
  }
{%- if plan.data.monitor %}
{%- set m = plan.data.monitor %}

  tfremedy_monitor = {
    account_id         = "{{ m.account_id }}"
    region             = "{{ m.region }}"
    existing_log_group = {% if m.existing_log_group %}"{{ m.existing_log_group }}"{% else %}null{% endif %}
    data_events        = {% if m.data_events %}true{% else %}false{% endif %}
    alarms             = {% if m.alarms %}true{% else %}false{% endif %}
    guardduty_alert    = {% if m.guardduty_alert %}true{% else %}false{% endif %}
  }
{%- endif %}

  tfremedy_principals = {
{%- for key, p in plan.data.principals %}
    "{{ key }}" = {
      account_id             = "{{ p.account_id }}"
      kind                   = "{{ p.kind }}"
      name                   = "{{ p.name }}"
      access_key_id          = {% if p.access_key_id %}"{{ p.access_key_id }}"{% else %}null{% endif %}
      quarantine             = {% if p.quarantine %}true{% else %}false{% endif %}
      deactivate_key         = {% if p.deactivate_key %}true{% else %}false{% endif %}
      key_import_in_root     = {% if p.key_import_in_root %}true{% else %}false{% endif %}
      require_mfa            = {% if p.require_mfa %}true{% else %}false{% endif %}
      revoke_sessions        = {% if p.revoke_sessions %}true{% else %}false{% endif %}
      revoke_sessions_before = {% if p.revoke_sessions_before %}"{{ p.revoke_sessions_before }}"{% else %}null{% endif %}
    }
{%- endfor %}
  }
}
