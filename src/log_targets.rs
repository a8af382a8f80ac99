//! Buckets that receive S3 server access logs. Their default encryption is not moved to SSE-KMS:
//! log delivery (`logging.s3.amazonaws.com`) cannot use the AWS-managed `aws/s3` key, so such a
//! change would stop the logs silently. SSE-S3 keeps them flowing; a customer managed key whose key
//! policy lets the logging service use it is the team's call (the PR says how).

use crate::inventory::BucketState;
use crate::scan::Index;
use serde_json::Value;

/// The S3 server access logging service principal.
pub const LOGGING_SERVICE: &str = "logging.s3.amazonaws.com";

/// Why `bucket` is known to receive server access logs, in words for the PR; `None` when nothing
/// says so. Evidence: the team's code sends logs there (`--terraform-dir`), the inventory shows a
/// bucket logging there, or its policy lets the logging service write.
pub fn evidence<'a>(
    bucket: &str,
    index: Option<&Index>,
    inventory: impl IntoIterator<Item = &'a BucketState>,
    policy: Option<&Value>,
) -> Option<String> {
    if let Some(places) = index.and_then(|i| i.log_targets.get(bucket)) {
        return Some(format!(
            "the code sends access logs here: {}",
            places.join(", ")
        ));
    }
    let sources: Vec<&str> = inventory
        .into_iter()
        .filter(|s| s.logging_target.as_deref() == Some(bucket))
        .map(|s| s.name.as_str())
        .collect();
    if !sources.is_empty() {
        return Some(format!(
            "the inventory shows access logs of {} delivered here",
            sources.join(", ")
        ));
    }
    policy
        .is_some_and(grants_log_delivery)
        .then(|| format!("its bucket policy lets {LOGGING_SERVICE} write"))
}

/// Whether an Allow statement of `policy` names the logging service as a principal.
pub fn grants_log_delivery(policy: &Value) -> bool {
    crate::policy::statements(policy).iter().any(|s| {
        let service = &s["Principal"]["Service"];
        s["Effect"] == "Allow"
            && (service == LOGGING_SERVICE
                || service
                    .as_array()
                    .is_some_and(|a| a.iter().any(|v| v == LOGGING_SERVICE)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn each_kind_of_evidence_is_named() {
        let mut index = Index::default();
        index.log_targets.insert(
            "logs".into(),
            vec!["aws_s3_bucket_logging.data in main.tf".into()],
        );
        assert_eq!(
            evidence("logs", Some(&index), [], None).unwrap(),
            "the code sends access logs here: aws_s3_bucket_logging.data in main.tf"
        );
        let mut data = BucketState::empty("data".into(), crate::inventory::SOURCE_AWS_API);
        data.logging_target = Some("logs".into());
        let inventory = BTreeMap::from([("data".to_string(), data)]);
        assert!(evidence("logs", None, inventory.values(), None)
            .unwrap()
            .contains("access logs of data"));
        let policy = serde_json::json!({"Statement": [{"Effect": "Allow",
            "Principal": {"Service": ["logging.s3.amazonaws.com"]}, "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::logs/*"}]});
        assert!(evidence("logs", None, [], Some(&policy)).is_some());
        assert!(evidence("other", Some(&index), inventory.values(), None).is_none());
    }
}
