# One entry per bucket. Keys:
#   existing_policy  "unknown": the plan stops until you say whether the bucket already has a policy;
#                    "read": it has one, which is read at plan time and kept, statement by statement;
#                    "none": it has none.
#   deny_cidrs       caller IPs to deny (one per line). To stop blocking one, move it to ignore_cidrs:
#                    deleting it alone is undone by the next run over the same finding.
#   tls_only, default_encryption, public_access_block
#                    switch a fix off with false. sse_algorithm is "aws:kms" or "aws:kms:dsse";
#                    kms_key_arn null means var.kms_key_arn (the AWS-managed aws/s3 key when unset).
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
      deny_cidrs = [
{%- for c in b.deny_cidrs %}
        "{{ c }}",
{%- endfor %}
      ]
      ignore_cidrs = [
{%- for c in b.ignore_cidrs %}
        "{{ c }}",
{%- endfor %}
      ]
    }
{%- endfor %}
  }
}
