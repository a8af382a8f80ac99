# The live bucket policy is read only with existing_policy = "read" (data.aws_s3_bucket_policy.live)
# or "pinned" (data.aws_s3_bucket_policy.current, the drift check), and only once the account
# matches. No mock here: the provider is tools/tf-validators/tools/schema_provider.py, which serves
# only schemas, so any ReadDataSource or PlanResourceChange call fails the run with "Unsupported
# plugin method". Everything except the two reads is overridden, so a run passes only if
# Terraform never tries to read the live policy: for "none", "unknown" and "restore", for "pinned"
# and "read" without statements, and for "read" and "pinned" with a wrong account (the account
# precondition is checked before the read). (With the right account "read" and "pinned" would
# fail on that read: see existing_policy.tftest.hcl for them.)

provider "aws" {
  region = "us-east-2"
}

variables {
  bucket          = "example-bucket"
  account_id      = "111122223333"
  deny_cidrs      = ["198.51.100.7/32"]
  baseline_policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"TheirReader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/reader\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}]}"
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "111122223333" }
}

override_data {
  target = data.aws_partition.current
  values = { partition = "aws" }
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

run "restore_does_not_read" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "restore"
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s.Sid] == ["TheirReader", "TfremedyDenyThreatIps", "TfremedyDenyInsecureTransport", "TfremedyDenyOutdatedTls"]
    error_message = "\"restore\" must plan the baseline with ours, without reading"
  }
}

run "pinned_without_statements_does_not_read" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
    deny_cidrs      = []
    enable_tls_only = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0
    error_message = "no statements, no policy, no drift check"
  }
}

run "pinned_managed_elsewhere_does_not_read" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy          = "pinned"
    policy_managed_elsewhere = true
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0
    error_message = "a policy managed elsewhere is not checked here"
  }
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
  # the provider's AccessDenied / NoSuchBucket (here: not "Unsupported plugin method"). The policy
  # depends on the read, and the public access block on the policy: neither is evaluated.
  expect_failures = [
    data.aws_s3_bucket_policy.live,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}

run "pinned_with_the_wrong_account_fails_before_reading" {
  command = plan
  module {
    source = "../../../templates/tf/modules/bucket-guard"
  }
  variables {
    existing_policy = "pinned"
  }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "444455556666" }
  }

  expect_failures = [
    data.aws_s3_bucket_policy.current,
    aws_s3_bucket_policy.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
  ]
}
