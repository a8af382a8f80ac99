//! Bucket policy documents: reading the one a user gives us, our statements, the merge and its size.
//!
//! A bucket has exactly one policy, so adding a statement means writing the whole document. When the user
//! hands us the current policy (`--bucket-policy BUCKET=FILE`), we merge here to show the reviewer the
//! exact result and to refuse a document over the S3 limit; the generated Terraform does the same merge
//! at plan time from the live policy (`override_policy_documents`), so both agree.
//! Statements are merged by `Sid` (the Cloud Custodian rule): ours replace a same-`Sid` statement, every
//! other statement is kept untouched and in order.

use serde::Serialize;
use serde_json::{json, Map, Value};

/// The S3 bucket policy size limit, in bytes.
pub const S3_POLICY_LIMIT: usize = 20 * 1024;
/// Headroom kept under the limit: AWS counts the stored form, which may differ slightly from our
/// minified rendering (key order, escaping).
pub const S3_POLICY_MARGIN: usize = 1024;

pub const SID_DENY_IPS: &str = "TfremedyDenyThreatIps";
pub const SID_DENY_INSECURE_TRANSPORT: &str = "TfremedyDenyInsecureTransport";
pub const SID_DENY_OUTDATED_TLS: &str = "TfremedyDenyOutdatedTls";
pub const SID_ALLOW_LIST: &str = "TfremedyAllowListOnly";

/// The allow-list statement, as the module's `aws_iam_policy_document` renders it: a deny on every
/// request that is not from the listed networks, unless it comes through a listed VPC endpoint or VPC,
/// from an AWS service, or from a break-glass principal (IAM ANDs the operators below: all must hold
/// for the deny to apply).
pub fn allow_list_statement(
    partition: &str,
    bucket: &str,
    cidrs: &[String],
    vpce_ids: &[String],
    vpc_ids: &[String],
    break_glass: &[String],
) -> Value {
    // The provider keeps condition values in the order given; so does the preview.
    let one_or_many = |v: &[String]| match v {
        [one] => json!(one),
        many => json!(many),
    };
    let mut not_equals = Map::new();
    if !vpce_ids.is_empty() {
        not_equals.insert("aws:SourceVpce".into(), one_or_many(vpce_ids));
    }
    if !vpc_ids.is_empty() {
        not_equals.insert("aws:SourceVpc".into(), one_or_many(vpc_ids));
    }
    let mut condition = json!({
        "NotIpAddress": {"aws:SourceIp": one_or_many(cidrs)},
        "BoolIfExists": {"aws:PrincipalIsAWSService": "false", "aws:ViaAWSService": "false"},
        "ArnNotLikeIfExists": {"aws:PrincipalArn": one_or_many(break_glass)},
    });
    if !not_equals.is_empty() {
        condition["StringNotEqualsIfExists"] = Value::Object(not_equals);
    }
    json!({
        "Sid": SID_ALLOW_LIST,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [format!("arn:{partition}:s3:::{bucket}"), format!("arn:{partition}:s3:::{bucket}/*")],
        "Condition": condition,
    })
}

/// The result of merging our statements into a known policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergedPolicy {
    /// The policy as it is now, pretty-printed, for the PR's before/after.
    pub before: String,
    /// Pretty-printed merged policy, for the PR text.
    pub pretty: String,
    /// Size of the minified merged policy, bytes.
    pub minified_size: usize,
    /// Existing statements kept (count).
    pub kept: usize,
    /// Sids of existing statements that ours replace.
    pub replaced_sids: Vec<String>,
}

/// Parses a policy as `aws s3api get-bucket-policy` prints it (`{"Policy": "<json>"}`) or raw.
pub fn parse_policy(text: &str) -> Result<Value, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("expected a JSON bucket policy: {e}"))?;
    let value = match value.get("Policy") {
        Some(Value::String(inner)) => serde_json::from_str(inner)
            .map_err(|e| format!("$.Policy: expected a JSON policy document in the string: {e}"))?,
        _ => value,
    };
    match value.get("Statement") {
        Some(Value::Array(_)) | Some(Value::Object(_)) => Ok(value),
        _ => Err("$.Statement: expected a policy document with a Statement array or object".into()),
    }
}

/// Our statements for one bucket, shaped as `aws_iam_policy_document` renders them.
pub fn our_statements(
    partition: &str,
    bucket: &str,
    cidrs: &[String],
    tls_only: bool,
) -> Vec<Value> {
    let resources = json!([
        format!("arn:{partition}:s3:::{bucket}"),
        format!("arn:{partition}:s3:::{bucket}/*")
    ]);
    // Shaped as the module's `aws_iam_policy_document`s render them: the IP deny names any principal
    // as `"*"`, the TLS denies as `{"AWS": "*"}`, and a one-element list becomes a plain string.
    let deny = |sid: &str, principal: Value, condition: Value| {
        json!({
            "Sid": sid,
            "Effect": "Deny",
            "Principal": principal,
            "Action": "s3:*",
            "Resource": resources,
            "Condition": condition,
        })
    };
    let mut out = Vec::new();
    if !cidrs.is_empty() {
        let ips = match cidrs {
            [one] => json!(one),
            many => json!(many),
        };
        out.push(deny(
            SID_DENY_IPS,
            json!("*"),
            json!({"IpAddress": {"aws:SourceIp": ips}}),
        ));
    }
    if tls_only {
        out.push(deny(
            SID_DENY_INSECURE_TRANSPORT,
            json!({"AWS": "*"}),
            json!({"Bool": {"aws:SecureTransport": "false"}}),
        ));
        out.push(deny(
            SID_DENY_OUTDATED_TLS,
            json!({"AWS": "*"}),
            json!({"NumericLessThan": {"s3:TlsVersion": "1.2"}}),
        ));
    }
    out
}

/// Merges `ours` into `existing` by Sid and measures the result.
pub fn merge(existing: &Value, ours: &[Value]) -> MergedPolicy {
    let statements = match existing.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    };
    let our_sids: Vec<&str> = ours.iter().filter_map(|s| s["Sid"].as_str()).collect();
    let mut replaced = Vec::new();
    let mut merged: Vec<Value> = Vec::new();
    for st in statements {
        match st.get("Sid").and_then(Value::as_str) {
            Some(sid) if our_sids.contains(&sid) => replaced.push(sid.to_string()),
            _ => merged.push(st),
        }
    }
    let kept = merged.len();
    merged.extend(ours.iter().cloned());
    let mut doc = Map::new();
    doc.insert(
        "Version".into(),
        existing
            .get("Version")
            .cloned()
            .unwrap_or_else(|| json!("2012-10-17")),
    );
    if let Some(id) = existing.get("Id") {
        doc.insert("Id".into(), id.clone());
    }
    doc.insert("Statement".into(), Value::Array(merged));
    let doc = Value::Object(doc);
    replaced.sort();
    replaced.dedup();
    MergedPolicy {
        before: serde_json::to_string_pretty(existing).unwrap_or_default(),
        pretty: serde_json::to_string_pretty(&doc).unwrap_or_default(),
        minified_size: serde_json::to_string(&doc)
            .map(|s| s.len())
            .unwrap_or(usize::MAX),
        kept,
        replaced_sids: replaced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_shapes() {
        let raw = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow"}]}"#;
        let wrapped = serde_json::to_string(&json!({ "Policy": raw })).unwrap();
        assert_eq!(parse_policy(raw).unwrap(), parse_policy(&wrapped).unwrap());
        assert!(parse_policy("{}").is_err());
        assert!(parse_policy("nope").is_err());
    }

    #[test]
    fn keeps_others_replaces_same_sid() {
        let existing = json!({"Version":"2012-10-17","Statement":[
            {"Sid":"Keep","Effect":"Allow"},
            {"Sid": SID_DENY_IPS, "Effect":"Deny","Old":true},
            {"Effect":"Allow","NoSid":true}
        ]});
        let ours = our_statements("aws", "b", &["1.2.3.4/32".into()], true);
        let m = merge(&existing, &ours);
        assert_eq!(m.kept, 2);
        assert_eq!(m.replaced_sids, vec![SID_DENY_IPS.to_string()]);
        let doc: Value = serde_json::from_str(&m.pretty).unwrap();
        let st = doc["Statement"].as_array().unwrap();
        assert_eq!(st.len(), 5);
        assert_eq!(st[0]["Sid"], "Keep");
        assert_eq!(st[1]["NoSid"], true);
        assert!(st.iter().all(|s| s.get("Old").is_none()));
    }
}
