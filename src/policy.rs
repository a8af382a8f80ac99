//! Bucket policy documents: reading the one a user gives us, our statements, the merge and its size.
//!
//! A bucket has exactly one policy, so adding a statement means writing the whole document. The reviewed
//! policy (from `--bucket-policy`, an inventory or a live read) is pinned in the data file as the
//! baseline, and the bucket-guard module writes it with ours appended, merged as data (`jsondecode`,
//! drop the `Tfremedy*` Sids, append, `jsonencode`). [`merge`] is that merge, byte for byte, so the PR
//! shows the document the module applies, and refuses one over the S3 limit.

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

/// The allow-list statement, as the module's `allow_list_statements` builds it: a deny on every
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
    let mut not_equals = Map::new();
    if !vpce_ids.is_empty() {
        not_equals.insert("aws:SourceVpce".into(), json!(vpce_ids));
    }
    if !vpc_ids.is_empty() {
        not_equals.insert("aws:SourceVpc".into(), json!(vpc_ids));
    }
    let mut condition = json!({
        "NotIpAddress": {"aws:SourceIp": cidrs},
        "BoolIfExists": {"aws:PrincipalIsAWSService": ["false"], "aws:ViaAWSService": ["false"]},
        "ArnNotLikeIfExists": {"aws:PrincipalArn": break_glass},
    });
    if !not_equals.is_empty() {
        condition["StringNotEqualsIfExists"] = Value::Object(not_equals);
    }
    json!({
        "Sid": SID_ALLOW_LIST,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": bucket_resources(partition, bucket),
        "Condition": condition,
    })
}

fn bucket_resources(partition: &str, bucket: &str) -> Value {
    json!([
        format!("arn:{partition}:s3:::{bucket}"),
        format!("arn:{partition}:s3:::{bucket}/*")
    ])
}

/// The result of merging our statements into a known policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergedPolicy {
    /// The policy as it is now, pretty-printed, for the PR's before/after.
    pub before: String,
    /// The merged policy, pretty-printed from the very document the module writes, for the PR text.
    pub pretty: String,
    /// The merged policy as the module's `jsonencode` writes it (what S3 receives).
    pub minified: String,
    /// Size of `minified` in bytes (UTF-8), as S3 counts it.
    pub minified_size: usize,
    /// Existing statements kept (count).
    pub kept: usize,
    /// Sids of existing statements that are ours from an earlier apply, rebuilt from the data.
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

/// Our statements for one bucket, shaped exactly as the module's locals build them: the IP deny names
/// any principal as `"*"`, the TLS denies as `{"AWS": "*"}`, condition values are lists.
pub fn our_statements(
    partition: &str,
    bucket: &str,
    cidrs: &[String],
    tls_only: bool,
) -> Vec<Value> {
    let deny = |sid: &str, principal: Value, condition: Value| {
        json!({
            "Sid": sid,
            "Effect": "Deny",
            "Principal": principal,
            "Action": "s3:*",
            "Resource": bucket_resources(partition, bucket),
            "Condition": condition,
        })
    };
    let mut out = Vec::new();
    if !cidrs.is_empty() {
        out.push(deny(
            SID_DENY_IPS,
            json!("*"),
            json!({"IpAddress": {"aws:SourceIp": cidrs}}),
        ));
    }
    if tls_only {
        out.push(deny(
            SID_DENY_INSECURE_TRANSPORT,
            json!({"AWS": "*"}),
            json!({"Bool": {"aws:SecureTransport": ["false"]}}),
        ));
        out.push(deny(
            SID_DENY_OUTDATED_TLS,
            json!({"AWS": "*"}),
            json!({"NumericLessThan": {"s3:TlsVersion": ["1.2"]}}),
        ));
    }
    out
}

/// Whether a statement is one of ours from an earlier apply: its Sid is one the module writes. A team
/// statement whose Sid merely starts with `Tfremedy` is the team's, kept like any other.
pub fn is_ours(statement: &Value) -> bool {
    statement
        .get("Sid")
        .and_then(Value::as_str)
        .is_some_and(|sid| OWNED_SIDS.contains(&sid))
}

/// The Sids the module writes (`owned_sids` in the bucket-guard module).
pub const OWNED_SIDS: [&str; 4] = [
    SID_DENY_IPS,
    SID_DENY_INSECURE_TRANSPORT,
    SID_DENY_OUTDATED_TLS,
    SID_ALLOW_LIST,
];

/// The statements of a policy document (`Statement` may be one object or an array).
pub fn statements(policy: &Value) -> Vec<&Value> {
    match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    }
}

/// Condition keys that, fixed to specific values, make a statement non-public: the list S3 Block
/// Public Access uses to decide whether a bucket policy is public.
const RESTRICTING_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

/// A policy element that holds one string or a list of them (`Action`, `Principal.AWS`...), as a
/// list; anything else is empty.
pub fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a statement grants access to anyone: an `Allow` whose principal is `*` (as `"*"`,
/// `{"AWS": "*"}` or a list holding `"*"`) without a condition that fixes one of the
/// [`RESTRICTING_KEYS`] to values without wildcards (or `aws:SourceIp` to a range narrower than the
/// whole Internet). A condition on anything else (a user agent, a referer, TLS) restricts nothing an
/// attacker cannot choose, so such a statement is public, as S3 judges it too.
pub fn is_public(statement: &Value) -> bool {
    let anyone = |p: &Value| strings(p).contains(&"*");
    let principal = &statement["Principal"];
    let open = anyone(principal) || anyone(&principal["AWS"]);
    statement["Effect"] == "Allow" && open && !restricted(&statement["Condition"])
}

fn restricted(condition: &Value) -> bool {
    let Some(operators) = condition.as_object() else {
        return false;
    };
    operators.iter().any(|(operator, keys)| {
        let op = operator.to_ascii_lowercase();
        let positive = [
            "stringequals",
            "stringlike",
            "arnequals",
            "arnlike",
            "ipaddress",
        ]
        .iter()
        .any(|p| op == *p || op == format!("{p}ignorecase") || op == format!("forallvalues:{p}"));
        positive
            && keys.as_object().is_some_and(|keys| {
                keys.iter().any(|(key, values)| {
                    let key = key.to_ascii_lowercase();
                    let fixed = |v: &Value| {
                        v.as_str().is_some_and(|v| {
                            !v.contains('*') && !v.contains('?') && v != "0.0.0.0/0" && v != "::/0"
                        })
                    };
                    let all_fixed = match values {
                        Value::Array(items) => !items.is_empty() && items.iter().all(fixed),
                        one => fixed(one),
                    };
                    RESTRICTING_KEYS.contains(&key.as_str()) && all_fixed
                })
            })
    })
}

/// A statement as Terraform's `jsonencode(jsondecode(...))` writes it: object keys sorted, no spaces,
/// strings escaped as Go's encoding/json does (`<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes).
/// The bucket-guard module compares live statements in this form to the ones the data file lists under
/// `remove_statements`, so the two must agree byte for byte.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // Terraform writes numbers as the shortest decimal without exponent (1.0 as 1, 1e21 in
        // full), which is what Rust's Display gives for an f64; integers are exact either way.
        Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
            Some(f) => out.push_str(&f.to_string()),
            None => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_go_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_string(key, out);
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
    }
}

fn write_go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Every statement the guard writes for a bucket, from its data-file entry: denied IPs, TLS-only
/// and the allow-list.
pub fn statements_for(
    partition: &str,
    bucket: &str,
    db: &crate::datafile::DataBucket,
) -> Vec<Value> {
    let cidrs: Vec<String> = db.deny.iter().map(|d| d.cidr.clone()).collect();
    let mut ours = our_statements(partition, bucket, &cidrs, db.tls_only == Some(true));
    if !db.allow_cidrs.is_empty() {
        ours.push(allow_list_statement(
            partition,
            bucket,
            &db.allow_cidrs,
            &db.allow_vpce_ids,
            &db.allow_vpc_ids,
            &db.break_glass_principal_arns,
        ));
    }
    ours
}

/// The merge the module will make for a bucket, refused (before anything is written) when the
/// module could not carry the baseline over unchanged, when it is over the size budget, or when it
/// keeps a public statement while the public access block is or will be on (`blocked`: already on
/// in AWS).
pub fn merge_checked(
    bucket: &str,
    place: &str,
    baseline: Option<&Value>,
    db: &crate::datafile::DataBucket,
    ours: &[Value],
    blocked: bool,
) -> Result<MergedPolicy, String> {
    if let Some(b) = baseline {
        check_carried_over(bucket, b)?;
    }
    let merged = merge(baseline, ours, &db.remove_statements);
    check_budget(bucket, place, &merged, db.deny.len())?;
    if db.needs_policy() {
        check_public_kept(
            bucket,
            &merged,
            blocked || db.public_access_block == Some(true),
        )?;
    }
    Ok(merged)
}

/// Refuses a merged policy over the S3 limit less the margin, with the ways out.
pub fn check_budget(
    bucket: &str,
    place: &str,
    merged: &MergedPolicy,
    denied: usize,
) -> Result<(), String> {
    let budget = S3_POLICY_LIMIT - S3_POLICY_MARGIN;
    if merged.minified_size <= budget {
        return Ok(());
    }
    Err(format!(
        "bucket {bucket:?} ({place}): the merged bucket policy would be {} bytes for {denied} denied \
         CIDRs, over the {budget} byte budget (S3 allows {S3_POLICY_LIMIT} bytes; {S3_POLICY_MARGIN} \
         are kept as margin). Nothing was written. Options: an allow-list of trusted networks \
         (aws:SourceIp with NotIpAddress, with VPC endpoint and service exemptions), VPC endpoint \
         conditions (aws:SourceVpce), an organisation resource control policy denying the IPs, or \
         fewer IPs per run",
        merged.minified_size
    ))
}

/// Refuses a baseline the module could not carry over unchanged. Terraform normalises every string to
/// NFC when it decodes JSON, so a statement with a decomposed character (an object key prefix typed
/// on macOS, say) would be written back with a different string and, in a `Resource`, no longer
/// match the same objects.
pub fn check_carried_over(bucket: &str, baseline: &Value) -> Result<(), String> {
    fn nfc(v: &Value) -> bool {
        use unicode_normalization::UnicodeNormalization;
        let same = |s: &str| s.nfc().eq(s.chars());
        match v {
            Value::String(s) => same(s),
            Value::Array(items) => items.iter().all(nfc),
            Value::Object(map) => map.iter().all(|(k, v)| same(k) && nfc(v)),
            _ => true,
        }
    }
    match statements(baseline).into_iter().find(|s| !nfc(s)) {
        None => Ok(()),
        Some(st) => Err(format!(
            "bucket {bucket:?}: a statement of the current policy has text that is not in Unicode \
             normal form C, which Terraform would rewrite (it normalises strings), changing what the \
             statement matches. Nothing was written. Rewrite that statement in NFC first. The \
             statement: {}",
            canonical_json(st)
        )),
    }
}

/// Refuses a document that keeps a public statement while the public access block is, or will be, on:
/// with BlockPublicPolicy, S3 rejects a PutBucketPolicy whose document is public (S3 API Reference,
/// PublicAccessBlockConfiguration), so the denies would never land.
pub fn check_public_kept(bucket: &str, merged: &MergedPolicy, blocked: bool) -> Result<(), String> {
    if !blocked {
        return Ok(());
    }
    let doc: Value = serde_json::from_str(&merged.minified).unwrap_or(Value::Null);
    let Some(public) = statements(&doc).into_iter().find(|s| is_public(s)) else {
        return Ok(());
    };
    Err(format!(
        "bucket {bucket:?}: the current policy has a statement that allows anyone, and the public \
         access block is or will be on, so S3 would reject the new policy (BlockPublicPolicy) and none \
         of tfremedy's statements would land. Nothing was written. Remove that statement (tfremedy \
         harden --remove-public does it reviewably) or leave the block off for this bucket \
         (--skip public-access-block). The statement: {}",
        canonical_json(public)
    ))
}

/// Merges `ours` into `existing` as the module does: every statement of `existing` is kept as it is
/// but ours from an earlier apply (`Tfremedy*` Sids) and those whose [`canonical_json`] is in
/// `remove` (`harden --remove-public`); ours are appended; `Version`, `Id` and any other top-level
/// key stay as `existing` has them (a new policy gets 2012-10-17). `existing` is `None` for a bucket
/// without a policy.
pub fn merge(existing: Option<&Value>, ours: &[Value], remove: &[String]) -> MergedPolicy {
    let base = existing
        .cloned()
        .unwrap_or_else(|| json!({"Version": "2012-10-17"}));
    let mut replaced = Vec::new();
    let mut merged: Vec<Value> = Vec::new();
    for st in statements(&base) {
        if is_ours(st) {
            replaced.extend(st["Sid"].as_str().map(str::to_string));
        } else if !remove.contains(&canonical_json(st)) {
            merged.push(st.clone());
        }
    }
    let kept = merged.len();
    merged.extend(ours.iter().cloned());
    let mut doc = base.as_object().cloned().unwrap_or_default();
    doc.insert("Statement".into(), Value::Array(merged));
    let minified = canonical_json(&Value::Object(doc));
    // Pretty-printed from the written bytes, so that the PR shows the document S3 receives.
    let pretty = serde_json::from_str::<Value>(&minified)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_default();
    replaced.sort();
    replaced.dedup();
    MergedPolicy {
        before: existing
            .map(|e| serde_json::to_string_pretty(e).unwrap_or_default())
            .unwrap_or_default(),
        pretty,
        minified_size: minified.len(),
        minified,
        kept,
        replaced_sids: replaced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_is_what_s3_calls_public() {
        let st = |principal: Value, condition: Value| {
            let mut s = json!({"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "*"});
            if !condition.is_null() {
                s["Condition"] = condition;
            }
            s
        };
        assert!(is_public(&st(json!("*"), Value::Null)));
        assert!(is_public(&st(json!({"AWS": "*"}), Value::Null)));
        assert!(is_public(&st(
            json!({"AWS": ["arn:aws:iam::111122223333:root", "*"]}),
            Value::Null
        )));
        // Conditions an attacker controls, or wildcards, restrict nothing.
        assert!(is_public(&st(
            json!("*"),
            json!({"StringLike": {"aws:UserAgent": "curl*"}})
        )));
        assert!(is_public(&st(
            json!("*"),
            json!({"StringLike": {"aws:SourceArn": "*"}})
        )));
        assert!(is_public(&st(
            json!("*"),
            json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})
        )));
        assert!(is_public(&st(
            json!("*"),
            json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})
        )));
        // Fixed values of the restricting keys make it non-public.
        assert!(!is_public(&st(
            json!("*"),
            json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})
        )));
        assert!(!is_public(&st(
            json!("*"),
            json!({"StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}})
        )));
        assert!(!is_public(&st(
            json!("*"),
            json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
        )));
        assert!(!is_public(&st(
            json!({"Service": "cloudfront.amazonaws.com"}),
            Value::Null
        )));
        assert!(!is_public(&st(
            json!({"AWS": "arn:aws:iam::111122223333:root"}),
            Value::Null
        )));
        let mut deny = st(json!("*"), Value::Null);
        deny["Effect"] = json!("Deny");
        assert!(!is_public(&deny));
    }

    #[test]
    fn canonical_json_is_terraforms_jsonencode() {
        // Keys sorted, no spaces, Go's escapes (checked against Terraform itself in
        // tests/terraform/bucket-guard/remove_statements.tftest.hcl).
        let v = json!({"Sid": "A&B", "Effect": "Allow", "Condition": {"StringLike": {"aws:Referer": ["<x>", "q\"t\\"]}}, "N": 1});
        assert_eq!(
            canonical_json(&v),
            r#"{"Condition":{"StringLike":{"aws:Referer":["\u003cx\u003e","q\"t\\"]}},"Effect":"Allow","N":1,"Sid":"A\u0026B"}"#
        );
        assert_eq!(canonical_json(&json!("a\nb\u{1}")), r#""a\nb\u0001""#);
    }

    #[test]
    fn removes_listed_statements_only() {
        let public = json!({"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"});
        let existing = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Keep", "Effect": "Allow"}, public.clone()]});
        let m = merge(Some(&existing), &[], &[canonical_json(&public)]);
        assert_eq!(m.kept, 1);
        let doc: Value = serde_json::from_str(&m.pretty).unwrap();
        assert_eq!(
            doc["Statement"],
            json!([{"Sid": "Keep", "Effect": "Allow"}])
        );
    }

    #[test]
    fn reads_both_shapes() {
        let raw = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow"}]}"#;
        let wrapped = serde_json::to_string(&json!({ "Policy": raw })).unwrap();
        assert_eq!(parse_policy(raw).unwrap(), parse_policy(&wrapped).unwrap());
        assert!(parse_policy("{}").is_err());
        assert!(parse_policy("nope").is_err());
    }

    #[test]
    fn keeps_others_rebuilds_ours() {
        let existing = json!({"Version":"2012-10-17","Id":"P1","Statement":[
            {"Sid":"Keep","Effect":"Allow"},
            {"Sid": SID_DENY_IPS, "Effect":"Deny","Old":true},
            {"Sid": "TfremedyDenyOldThing", "Effect":"Deny"},
            {"Effect":"Allow","NoSid":true}
        ]});
        let ours = our_statements("aws", "b", &["1.2.3.4/32".into()], true);
        let m = merge(Some(&existing), &ours, &[]);
        // A Sid that only starts with Tfremedy is the team's: kept.
        assert_eq!(m.kept, 3);
        assert_eq!(m.replaced_sids, vec![SID_DENY_IPS.to_string()]);
        let doc: Value = serde_json::from_str(&m.pretty).unwrap();
        assert_eq!(doc["Id"], "P1");
        let st = doc["Statement"].as_array().unwrap();
        assert_eq!(st.len(), 6);
        assert_eq!(st[0]["Sid"], "Keep");
        assert_eq!(st[1]["Sid"], "TfremedyDenyOldThing");
        assert_eq!(st[2]["NoSid"], true);
        assert!(st.iter().all(|s| s.get("Old").is_none()));
        assert_eq!(m.minified_size, m.minified.len());
    }

    #[test]
    fn carries_numbers_version_and_duplicate_sids_over_unchanged() {
        // AWS's own TLS statement has a JSON number; aws_iam_policy_document drops it
        // (terraform-provider-aws #27020), the merge as data must not.
        let existing = json!({"Version":"2008-10-17","Statement":[
            {"Sid":"EnforceTLSv12orHigher","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*",
             "Resource":"arn:aws:s3:::b/*","Condition":{"NumericLessThan":{"s3:TlsVersion":1.2}}},
            {"Sid":"Dup","Effect":"Allow","Condition":{"NumericEquals":{"s3:max-keys":[10,20]}}},
            {"Sid":"Dup","Effect":"Allow"}
        ]});
        let m = merge(Some(&existing), &[], &[]);
        assert_eq!(
            m.minified,
            r#"{"Statement":[{"Action":"s3:*","Condition":{"NumericLessThan":{"s3:TlsVersion":1.2}},"Effect":"Deny","Principal":{"AWS":"*"},"Resource":"arn:aws:s3:::b/*","Sid":"EnforceTLSv12orHigher"},{"Condition":{"NumericEquals":{"s3:max-keys":[10,20]}},"Effect":"Allow","Sid":"Dup"},{"Effect":"Allow","Sid":"Dup"}],"Version":"2008-10-17"}"#
        );
        // A policy without Version is read as 2008-10-17: none is added to it.
        let bare = json!({"Statement":{"Sid":"One","Effect":"Allow"}});
        assert_eq!(
            merge(Some(&bare), &[], &[]).minified,
            r#"{"Statement":[{"Effect":"Allow","Sid":"One"}]}"#
        );
        assert_eq!(
            merge(None, &[], &[]).minified,
            r#"{"Statement":[],"Version":"2012-10-17"}"#
        );
    }

    #[test]
    fn numbers_as_terraform_writes_them() {
        let v: Value = serde_json::from_str(
            r#"{"a":1.0,"b":1e21,"c":1.20,"e":0.000001,"f":123456789012,"g":1.5e-7}"#,
        )
        .unwrap();
        // The bytes Terraform's jsonencode(jsondecode(...)) gives for the same text.
        assert_eq!(
            canonical_json(&v),
            r#"{"a":1,"b":1000000000000000000000,"c":1.2,"e":0.000001,"f":123456789012,"g":0.00000015}"#
        );
    }

    #[test]
    fn refuses_what_terraform_would_normalise() {
        let nfd = json!({"Statement":[{"Sid":"A","Resource":"arn:aws:s3:::b/cafe\u{301}/*"}]});
        let err = check_carried_over("b", &nfd).unwrap_err();
        assert!(err.contains("normal form C"), "{err}");
        let nfc = json!({"Statement":[{"Sid":"A","Resource":"arn:aws:s3:::b/caf\u{e9}/*"}]});
        assert!(check_carried_over("b", &nfc).is_ok());
    }

    #[test]
    fn size_is_bytes() {
        let existing = json!({"Statement":[{"Sid":"Ünïcødé€😀"}]});
        let m = merge(Some(&existing), &[], &[]);
        assert_eq!(m.minified_size, m.minified.len());
        assert!(m.minified_size > m.minified.chars().count());
    }
}
