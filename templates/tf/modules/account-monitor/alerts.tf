# alerts: one encrypted SNS topic for the alarms and the GuardDuty rule, with email subscriptions.

data "aws_iam_policy_document" "alerts_key" {
  count = local.create_alerts ? 1 : 0
  # In a key policy the resource "*" means "this key"; nothing else can be named there.
  #checkov:skip=CKV_AWS_109:key policy: resource "*" is this key only, and the only unconditioned grant is the account root (delegation to IAM)
  #checkov:skip=CKV_AWS_111:key policy: resource "*" is this key only; the service grants are limited to this account by aws:SourceAccount
  #checkov:skip=CKV_AWS_356:key policy: resource "*" is this key only

  statement {
    sid       = "EnableIamPolicies"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch alarms and EventBridge publish to the encrypted topic.
  statement {
    sid       = "AlarmAndEventPublishers"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_kms_key" "alerts" {
  count                   = local.create_alerts ? 1 : 0
  description             = "tfremedy ${var.name_prefix}: the alerts SNS topic"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.alerts_key[0].json

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

resource "aws_sns_topic" "alerts" {
  count             = local.create_alerts ? 1 : 0
  name              = "${var.name_prefix}-s3-alerts"
  kms_master_key_id = aws_kms_key.alerts[0].arn

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
    precondition {
      condition     = local.alarms_have_group
      error_message = "tfremedy: enable_alarms needs a log group: set existing_log_group_name (for example an organisation trail's group), turn enable_data_events on so the module creates one, or turn enable_alarms off."
    }
  }
}

data "aws_iam_policy_document" "alerts_topic" {
  count = local.create_alerts ? 1 : 0

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts[0].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "EventBridgePublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts[0].arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    # Our rule when it exists; otherwise any rule of this account in this region.
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.events_source_arn]
    }
  }
}

# Replaces the topic's default policy (which lets every principal of the account manage it).
resource "aws_sns_topic_policy" "alerts" {
  count  = local.create_alerts ? 1 : 0
  arn    = aws_sns_topic.alerts[0].arn
  policy = data.aws_iam_policy_document.alerts_topic[0].json

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

resource "aws_sns_topic_subscription" "email" {
  for_each  = local.create_alerts ? toset(var.alarm_emails) : toset([])
  topic_arn = aws_sns_topic.alerts[0].arn
  protocol  = "email"
  endpoint  = each.value

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}

# --- guardduty-alert -----------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "guardduty" {
  count       = local.create_rule ? 1 : 0
  name        = local.rule_name
  description = "tfremedy: GuardDuty findings of the listed types with severity >= ${var.guardduty_min_severity}"
  state       = "ENABLED"
  event_pattern = jsonencode({
    source      = ["aws.guardduty"]
    detail-type = ["GuardDuty Finding"]
    detail = {
      type = var.guardduty_finding_types
      severity = [
        {
          numeric = [">=", var.guardduty_min_severity]
        },
      ]
    }
  })

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
    precondition {
      condition     = can(var.guardduty_finding_types[0])
      error_message = "tfremedy: guardduty_finding_types is empty; EventBridge rejects an empty list in an event pattern. Give at least one finding type or set enable_guardduty_alert = false."
    }
  }
}

resource "aws_cloudwatch_event_target" "guardduty" {
  count     = local.create_rule ? 1 : 0
  rule      = aws_cloudwatch_event_rule.guardduty[0].name
  target_id = "tfremedy-alerts-topic"
  arn       = aws_sns_topic.alerts[0].arn

  depends_on = [aws_sns_topic_policy.alerts]

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}
