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
}
