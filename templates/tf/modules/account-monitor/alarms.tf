# alarms: one metric filter and one alarm per pattern in local.filter_patterns, on the created or
# the existing log group. Metrics have no dimensions: an IP or request id as a dimension would
# create a new (billed) metric per value.

resource "aws_cloudwatch_log_metric_filter" "this" {
  for_each       = local.create_alarms ? local.filter_patterns : {}
  name           = "${var.name_prefix}-${each.key}"
  log_group_name = local.create_trail ? aws_cloudwatch_log_group.trail[0].name : local.log_group_name
  pattern        = each.value

  metric_transformation {
    namespace = local.metric_namespace
    name      = each.key
    value     = "1"
  }

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
    precondition {
      condition     = local.filters_fit
      error_message = "tfremedy: ${length(local.filter_patterns)} metric filters are needed (${length(local.ip_patterns)} for blocked_ips, ${length(local.bucket_patterns)} for bucket_names, ${length(local.cis_patterns)} CIS), over CloudWatch Logs' limit of ${local.filter_limit} per log group. Raise ip_filter_chunk_size / bucket_filter_chunk_size, or aggregate the addresses."
    }
    precondition {
      condition     = contains([local.pattern_limit], max(local.pattern_limit, length(each.value)))
      error_message = "tfremedy: metric filter ${each.key} has a ${length(each.value)}-character pattern, over CloudWatch Logs' limit of ${local.pattern_limit}; lower ip_filter_chunk_size or bucket_filter_chunk_size."
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each            = aws_cloudwatch_log_metric_filter.this
  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = local.alarm_descriptions[each.key]
  namespace           = local.metric_namespace
  metric_name         = each.value.metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = [aws_sns_topic.alerts[0].arn]

  lifecycle {
    precondition {
      condition     = local.account_ok
      error_message = local.account_error
    }
  }
}
