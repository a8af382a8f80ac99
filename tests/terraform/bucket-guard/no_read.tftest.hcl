# The live bucket policy is never read unless existing_policy = "read" (and the account matches).
# No mock here: the provider is tools/tf-validators/tools/schema_provider.py, which serves only
# schemas, so any ReadDataSource or PlanResourceChange call fails the run with "Unsupported plugin
# method". Everything except data.aws_s3_bucket_policy.live is overridden, so a run passes only if
# Terraform never tries to read the live policy. (With existing_policy = "read" and the right
# account this file's runs would fail on that read: see existing_policy.tftest.hcl for "read".)

provider "aws" {
  region = "us-east-2"
}

variables {
  bucket     = "example-bucket"
  account_id = "111122223333"
  deny_cidrs = ["198.51.100.7/32"]
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "111122223333" }
}

override_data {
  target = data.aws_partition.current
  values = { partition = "aws" }
}

override_data {
  target = data.aws_iam_policy_document.deny_ips
  values = { json = "{}", minified_json = "{}" }
}

override_data {
  target = data.aws_iam_policy_document.tls_only
  values = { json = "{}", minified_json = "{}" }
}

override_data {
  target = data.aws_iam_policy_document.ours
  values = { json = "{}", minified_json = "{}" }
}

override_data {
  target = data.aws_iam_policy_document.merged
  values = { json = "{}", minified_json = "{}" }
}

override_resource {
  target = aws_s3_bucket_policy.this
}

override_resource {
  target = aws_s3_bucket_server_side_encryption_configuration.this
}

override_resource {
  target = aws_s3_bucket_public_access_block.this
}

run "none_does_not_read" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "none"
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1
    error_message = "existing_policy = \"none\" must plan the bucket policy"
  }
}

run "unknown_does_not_read" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "unknown"
  }

  expect_failures = [aws_s3_bucket_policy.this]
}

run "read_with_the_wrong_account_fails_before_reading" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "read"
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "444455556666" }
  }

  # The precondition on the data source stops the read: the user sees the tfremedy message, not
  # the provider's AccessDenied / NoSuchBucket (here: not "Unsupported plugin method").
  expect_failures = [
    data.aws_s3_bucket_policy.live,
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_s3_bucket_public_access_block.this,
  ]
}
