//! Who cannot use the AWS-managed `aws/s3` key, so that a bucket they read or write is not moved to
//! SSE-KMS under it: its key policy cannot be changed, so it serves the account's own principals
//! only. S3 server access log delivery (`logging.s3.amazonaws.com`) and other AWS services
//! (CloudFront origin access control, log delivery), and principals of other accounts, fail on
//! objects written after such a change, and logs stop without an error anyone sees. Such a bucket
//! keeps its encryption; a customer managed key whose key policy grants them is the team's call
//! (the PR says how).

use crate::inventory::BucketState;
use crate::policy::{statements, strings};
use crate::scan::Index;
use serde_json::Value;

/// The S3 server access logging service principal.
pub const LOGGING_SERVICE: &str = "logging.s3.amazonaws.com";

/// Why `bucket` is known to receive server access logs, in words for the PR; `None` when nothing
/// says so. Evidence: the team's code sends logs there (`--terraform-dir`), the inventory shows a
/// bucket logging there, or its policy lets the logging service write.
fn evidence<'a>(
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

/// What keeps the bucket off the AWS-managed key: `("log-target", why)` when it receives server
/// access logs, `("shared", why)` when its policy lets AWS services or other accounts than
/// `account_id` in; `None` when nothing known does.
pub fn blocker<'a>(
    bucket: &str,
    account_id: &str,
    index: Option<&Index>,
    inventory: impl IntoIterator<Item = &'a BucketState>,
    policy: Option<&Value>,
) -> Option<(&'static str, String)> {
    if let Some(why) = evidence(bucket, index, inventory, policy) {
        return Some(("log-target", why));
    }
    let outside = policy
        .map(|p| outside_principals(p, account_id))
        .unwrap_or_default();
    (!outside.is_empty()).then(|| {
        (
            "shared",
            format!("its bucket policy lets in {}", outside.join(", ")),
        )
    })
}

/// The principals of Allow statements that the AWS-managed key cannot serve: AWS services, and
/// accounts other than `account_id` (by account id or ARN), sorted and deduplicated.
fn outside_principals(policy: &Value, account_id: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in statements(policy) {
        if s["Effect"] != "Allow" {
            continue;
        }
        let principal = &s["Principal"];
        out.extend(
            strings(&principal["Service"])
                .into_iter()
                .map(str::to_string),
        );
        for p in strings(&principal["AWS"]) {
            let account = if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
                Some(p)
            } else {
                p.strip_prefix("arn:").and_then(|r| r.split(':').nth(3))
            };
            if account.is_some_and(|a| !a.is_empty() && a != account_id) {
                out.push(p.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether an Allow statement of `policy` names the logging service as a principal.
fn grants_log_delivery(policy: &Value) -> bool {
    statements(policy).iter().any(|s| {
        s["Effect"] == "Allow" && strings(&s["Principal"]["Service"]).contains(&LOGGING_SERVICE)
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

    #[test]
    fn services_and_other_accounts_cannot_use_the_aws_managed_key() {
        let policy = serde_json::json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/partner", "arn:aws:iam::973743533182:role/own", "444455556666"]}, "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::777788889999:root"}, "Action": "s3:*", "Resource": "*"},
        ]});
        assert_eq!(
            outside_principals(&policy, "973743533182"),
            vec![
                "444455556666",
                "arn:aws:iam::111122223333:role/partner",
                "cloudfront.amazonaws.com"
            ]
        );
        let (kind, why) = blocker("b", "973743533182", None, [], Some(&policy)).unwrap();
        assert_eq!(kind, "shared");
        assert!(
            why.starts_with("its bucket policy lets in 444455556666"),
            "{why}"
        );
        let own = serde_json::json!({"Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::973743533182:root"}, "Action": "s3:*", "Resource": "*"}]});
        assert!(blocker("b", "973743533182", None, [], Some(&own)).is_none());
    }
}
