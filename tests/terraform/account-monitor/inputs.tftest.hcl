# Variable validations: bad values fail, good ones pass.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { endpoint = "ec2.us-east-2.amazonaws.com" }
  }
}

variables {
  account_id              = "111122223333"
  region                  = "us-east-2"
  bucket_names            = ["example-bucket"]
  blocked_ips             = ["198.51.100.7"]
  guardduty_finding_types = ["Discovery:S3/MaliciousIPCaller.Custom"]
}

run "bad_account_id" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    account_id = "11112222333"
  }
  expect_failures = [var.account_id]
}

run "bad_region" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    region = "US-EAST-2"
  }
  expect_failures = [var.region]
}

run "bad_name_prefix" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    name_prefix = "Tf_Remedy"
  }
  expect_failures = [var.name_prefix]
}

run "name_prefix_starting_with_a_dash" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    name_prefix = "-tfremedy"
  }
  expect_failures = [var.name_prefix]
}

run "ip_with_prefix_length" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    blocked_ips = ["198.51.100.7/32"]
  }
  expect_failures = [var.blocked_ips]
}

run "ip_not_canonical" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    blocked_ips = ["2001:DB8:0:0:0:0:0:7"]
  }
  expect_failures = [var.blocked_ips]
}

run "ip_not_an_address" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    blocked_ips = ["example.com"]
  }
  expect_failures = [var.blocked_ips]
}

run "good_ips" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    blocked_ips = ["198.51.100.7", "2001:db8::7", "fd12:3456:789a:1::1"]
  }
}

run "bad_retention" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    log_retention_days = 366
  }
  expect_failures = [var.log_retention_days]
}

run "retention_400_and_expiration_90" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    log_retention_days         = 400
    log_bucket_expiration_days = 90
  }
  assert {
    condition     = aws_cloudwatch_log_group.trail[0].retention_in_days == 400 && [for r in aws_s3_bucket_lifecycle_configuration.logs[0].rule : r.expiration[0].days] == [90]
    error_message = "retention and expiration are passed through"
  }
}

run "bad_expiration" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    log_bucket_expiration_days = 0
  }
  expect_failures = [var.log_bucket_expiration_days]
}

run "bad_chunk_sizes" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    ip_filter_chunk_size     = 15
    bucket_filter_chunk_size = 0
  }
  expect_failures = [var.ip_filter_chunk_size, var.bucket_filter_chunk_size]
}

run "bad_severity" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    guardduty_min_severity = 11
  }
  expect_failures = [var.guardduty_min_severity]
}

run "bad_finding_type" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    guardduty_finding_types = ["MaliciousIPCaller"]
  }
  expect_failures = [var.guardduty_finding_types]
}

run "bad_email" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    alarm_emails = ["not-an-email"]
  }
  expect_failures = [var.alarm_emails]
}

run "bad_bucket_name" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    bucket_names = ["bad\"name"]
  }
  expect_failures = [var.bucket_names]
}

# Legacy names (capitals, underscores) still exist and GuardDuty names them.
run "legacy_bucket_name" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    bucket_names = ["Legacy_Bucket"]
  }
}

run "empty_existing_group_name" {
  command = plan
  module {
    source = "../../../templates/tf/modules/account-monitor"
  }
  variables {
    existing_log_group_name = ""
  }
  expect_failures = [var.existing_log_group_name]
}
