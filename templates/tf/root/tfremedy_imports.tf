# Move this file into your ROOT module (the directory where you run terraform plan), next to the
# module "{{ module_name | ident }}" block that calls this directory. Import blocks are only allowed in a root
# module, so they cannot live in this directory, and they must name the resource's full address.
# Once it is there, set key_import_in_root = true for the principal in tfremedy_data.tf: until then
# the plan stops, because without the import Terraform would create a new key for the user.
{%- for i in key_imports %}

import {
  to = module.{{ module_name | ident }}.module.principal_response["{{ i.key }}"].aws_iam_access_key.this[0]
  id = "{{ i.access_key_id }}"
}
{%- endfor %}
