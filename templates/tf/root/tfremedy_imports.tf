# Move this file into your ROOT module (the directory where you run terraform plan), next to the
# module "{{ module_name | ident }}" block that calls this directory. Import blocks are only allowed in a root
# module, so they cannot live in this directory, and they must name the resource's full address.
{%- if bucket_imports %}
#
# Bucket settings that exist in AWS but in none of your code: imported, so that terraform plan shows
# an import and an in-place update of each, never a create that would overwrite it unseen.
{%- for i in bucket_imports %}

import {
  to = module.{{ module_name | ident }}.module.bucket_guard["{{ i.bucket }}"].{{ i.resource | ident }}.this[0]
  id = "{{ i.bucket }}"
}
{%- endfor %}
{%- endif %}
{%- if key_imports %}
#
# Once the access key imports are there, set key_import_in_root = true for the principal in
# tfremedy_data.tf: until then the plan stops, because without the import Terraform would create a
# new key for the user.
{%- endif %}
{%- for i in key_imports %}

import {
  to = module.{{ module_name | ident }}.module.principal_response["{{ i.key }}"].aws_iam_access_key.this[0]
  id = "{{ i.access_key_id }}"
}
{%- endfor %}
