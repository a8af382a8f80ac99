//! AWS Config configuration items for `AWS::S3::Bucket`, in every shape the CLI prints or Config
//! delivers:
//!
//! - `batch-get-resource-config`: `{"baseConfigurationItems": [...]}`; `configuration` and each
//!   `supplementaryConfiguration` value are JSON strings; the account is `accountId`.
//! - `get-resource-config-history`: `{"configurationItems": [...]}`, newest first by default.
//! - a snapshot or history file delivered to S3: `{"fileVersion": ..., "configurationItems": [...]}`,
//!   values as objects, the account as `awsAccountId`.
//! - `select-resource-config`: `{"Results": ["<json string>", ...]}`, each string an item or the
//!   fields the query selected.
//! - a change notification or EventBridge event (`configurationItem`, `detail.configurationItem`),
//!   a bare item, or an array of items.
//!
//! The supplementary keys read: `BucketPolicy` (`policyText`), `ServerSideEncryptionConfiguration`
//! (`rules[0].applyServerSideEncryptionByDefault.{sseAlgorithm,kmsMasterKeyID}`,
//! `rules[0].bucketKeyEnabled`), `PublicAccessBlockConfiguration`, `BucketLoggingConfiguration`
//! (`destinationBucketName`), `BucketVersioningConfiguration` (`status`), `BucketOwnershipControls`
//! (`ownershipControlsRules[0].objectOwnership`, also accepted under `ownershipControls.rules` and
//! `rules`, the S3 API's own nesting).

use super::{
    bucket_name, check, decoded, describe, first, kind, kms_key, object_ownership, opt_bool,
    opt_object, opt_str, policy, push_index, push_key, sse_algorithm, versioning, BucketState, Ctx,
    EncryptionState, Entry, SOURCE_AWS_CONFIG,
};
use crate::error::InputError;
use crate::model::BlockPublicAccess;
use crate::validate;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

const BUCKET_TYPE: &str = "AWS::S3::Bucket";

/// An item listed in a document: its value, its path, and whether it is a `select-resource-config`
/// result (which may lack `resourceType`).
struct Listed<'v> {
    value: &'v Value,
    path: String,
    select: bool,
}

/// Reads a Config document; `None` if the document is not one.
pub(super) fn read(doc: &Value, ctx: &Ctx, errors: &mut Vec<InputError>) -> Option<Vec<Entry>> {
    let listed = match list(doc, ctx) {
        None => return None,
        Some(Ok(listed)) => listed,
        Some(Err(e)) => {
            errors.push(e);
            return Some(Vec::new());
        }
    };
    // Per bucket: the newest item so far, by capture time, and its position.
    let mut newest: BTreeMap<String, (Option<f64>, usize, Entry)> = BTreeMap::new();
    for (position, l) in listed.iter().enumerate() {
        match item(l, ctx) {
            Ok(None) => {}
            Ok(Some((time, entry))) => {
                let name = match &entry {
                    Entry::State(s) => s.name.clone(),
                    Entry::Deleted(n) => n.clone(),
                };
                let replace = match newest.get(&name) {
                    None => true,
                    // Both timed: the newer wins; otherwise the later in the document.
                    Some((Some(old), _, _)) if time.is_some() => time >= Some(*old),
                    Some(_) => true,
                };
                if replace {
                    newest.insert(name, (time, position, entry));
                }
            }
            Err(e) => errors.push(e),
        }
    }
    let mut entries: Vec<(usize, Entry)> = newest
        .into_values()
        .map(|(_, position, entry)| (position, entry))
        .collect();
    entries.sort_by_key(|(position, _)| *position);
    Some(entries.into_iter().map(|(_, e)| e).collect())
}

/// The items of a document, `None` if it is not a Config document, an error if its list is not a
/// list.
fn list<'v>(doc: &'v Value, ctx: &Ctx) -> Option<Result<Vec<Listed<'v>>, InputError>> {
    let array = |v: &'v Value, path: String, select: bool| match v {
        Value::Array(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, value)| Listed {
                value,
                path: push_index(&path, i),
                select,
            })
            .collect()),
        other => Err(ctx.err(
            &path,
            format!(
                "expected an array of configuration items, found {}",
                kind(other)
            ),
        )),
    };
    let single = |value: &'v Value, path: String| {
        Ok(vec![Listed {
            value,
            path,
            select: false,
        }])
    };
    match doc {
        // An array of anything else (GuardDuty findings, say) is not a Config document at all.
        Value::Array(items)
            if items.is_empty()
                || items
                    .iter()
                    .any(|v| v.is_string() || v.get("resourceType").is_some()) =>
        {
            Some(array(doc, "$".to_string(), false))
        }
        Value::Object(map) => {
            for key in ["baseConfigurationItems", "configurationItems"] {
                if let Some(v) = map.get(key) {
                    return Some(array(v, push_key("$", key), false));
                }
            }
            if let Some(v) = map.get("Results") {
                return Some(array(v, "$.Results".to_string(), true));
            }
            if let Some(v) = map.get("configurationItem") {
                return Some(single(v, "$.configurationItem".to_string()));
            }
            if let Some(v) = map.get("detail").and_then(|d| d.get("configurationItem")) {
                return Some(single(v, "$.detail.configurationItem".to_string()));
            }
            if map.contains_key("resourceType") {
                return Some(single(doc, "$".to_string()));
            }
            None
        }
        _ => None,
    }
}

/// One item: `None` for another resource type or an item that records nothing.
fn item(l: &Listed<'_>, ctx: &Ctx) -> Result<Option<(Option<f64>, Entry)>, InputError> {
    let path = l.path.as_str();
    let value = decoded(l.value, path, "a configuration item", ctx)?;
    let Some(obj) = value.as_object() else {
        return Err(ctx.err(
            path,
            format!(
                "expected a configuration item (an object with resourceType), found {}",
                describe(&value)
            ),
        ));
    };
    match obj.get("resourceType") {
        Some(Value::String(t)) if t == BUCKET_TYPE => {}
        Some(Value::String(_)) => return Ok(None),
        None if l.select => {}
        None => {
            return Err(ctx.err(
                path,
                format!(
                    "expected a configuration item (an object with resourceType), found {}",
                    describe(&value)
                ),
            ))
        }
        Some(other) => {
            return Err(ctx.err(
                &push_key(path, "resourceType"),
                format!("expected a string, found {}", kind(other)),
            ))
        }
    }
    let status = opt_str(obj, "configurationItemStatus", path, ctx)?;
    if status == Some("ResourceNotRecorded") {
        return Ok(None);
    }
    let time = obj.get("configurationItemCaptureTime").and_then(epoch);

    let configuration_path = push_key(path, "configuration");
    let configuration = match obj.get("configuration") {
        None | Some(Value::Null) => None,
        Some(v) => Some(decoded(v, &configuration_path, "the configuration", ctx)?),
    };
    let configuration = opt_object(
        configuration.as_deref(),
        &configuration_path,
        "the configuration",
        ctx,
    )?;

    let name = match opt_str(obj, "resourceName", path, ctx)? {
        Some(n) => bucket_name(n, &push_key(path, "resourceName"), ctx)?,
        None => match configuration
            .map(|c| opt_str(c, "name", &configuration_path, ctx))
            .transpose()?
            .flatten()
        {
            Some(n) => bucket_name(n, &push_key(&configuration_path, "name"), ctx)?,
            None => match opt_str(obj, "resourceId", path, ctx)? {
                Some(n) => bucket_name(n, &push_key(path, "resourceId"), ctx)?,
                None => return Err(ctx.err(
                    path,
                    "expected the bucket name in resourceName, configuration.name or resourceId",
                )),
            },
        },
    };
    if matches!(
        status,
        Some("ResourceDeleted" | "ResourceDeletedNotRecorded")
    ) {
        return Ok(Some((time, Entry::Deleted(name))));
    }

    let mut state = BucketState::empty(name, SOURCE_AWS_CONFIG);
    // batch-get and the advanced query say `accountId`; snapshots and notifications `awsAccountId`.
    for key in ["awsAccountId", "accountId"] {
        if let Some(a) = opt_str(obj, key, path, ctx)? {
            check(validate::account_id(a), &push_key(path, key), ctx)?;
            state.account_id = Some(a.to_string());
            break;
        }
    }
    if let Some(r) = opt_str(obj, "awsRegion", path, ctx)? {
        check(validate::region(r), &push_key(path, "awsRegion"), ctx)?;
        state.region = Some(r.to_string());
    }
    let supplementary_path = push_key(path, "supplementaryConfiguration");
    let supplementary = match obj.get("supplementaryConfiguration") {
        None | Some(Value::Null) => None,
        Some(v) => Some(decoded(
            v,
            &supplementary_path,
            "the supplementary configuration",
            ctx,
        )?),
    };
    let supplementary = opt_object(
        supplementary.as_deref(),
        &supplementary_path,
        "the supplementary configuration",
        ctx,
    )?;
    if let Some(supplementary) = supplementary {
        supplementary_values(supplementary, &supplementary_path, ctx, &mut state)?;
    }
    Ok(Some((time, Entry::State(state))))
}

fn supplementary_values(
    supplementary: &Map<String, Value>,
    path: &str,
    ctx: &Ctx,
    state: &mut BucketState,
) -> Result<(), InputError> {
    // Each value may be an object or a string holding one.
    let part = |key: &str| -> Result<Option<(Value, String)>, InputError> {
        let p = push_key(path, key);
        match supplementary.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => {
                let v = decoded(v, &p, key, ctx)?.into_owned();
                match v {
                    Value::Null => Ok(None),
                    Value::Object(_) => Ok(Some((v, p))),
                    other => Err(ctx.err(
                        &p,
                        format!("expected {key} (an object), found {}", kind(&other)),
                    )),
                }
            }
        }
    };
    let obj = |v: &Value| v.as_object().cloned().unwrap_or_default();

    if let Some((v, p)) = part("BucketPolicy")? {
        let o = obj(&v);
        let text_path = push_key(&p, "policyText");
        match o.get("policyText") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.is_empty() => {}
            Some(text) => state.policy = Some(policy(text, &text_path, ctx)?),
        }
    }
    if let Some((v, p)) = part("ServerSideEncryptionConfiguration")? {
        let o = obj(&v);
        if let Some((rule, rule_path)) = first(o.get("rules"), &push_key(&p, "rules"), ctx)? {
            let rule = opt_object(Some(rule), &rule_path, "an encryption rule", ctx)?;
            if let Some(rule) = rule {
                state.encryption = encryption_rule(rule, &rule_path, ctx)?;
            }
        }
    }
    if let Some((v, p)) = part("PublicAccessBlockConfiguration")? {
        let o = obj(&v);
        state.public_access_block = Some(BlockPublicAccess {
            block_public_acls: opt_bool(&o, "blockPublicAcls", &p, ctx)?,
            ignore_public_acls: opt_bool(&o, "ignorePublicAcls", &p, ctx)?,
            block_public_policy: opt_bool(&o, "blockPublicPolicy", &p, ctx)?,
            restrict_public_buckets: opt_bool(&o, "restrictPublicBuckets", &p, ctx)?,
        });
    }
    if let Some((v, p)) = part("BucketLoggingConfiguration")? {
        let o = obj(&v);
        if let Some(target) = opt_str(&o, "destinationBucketName", &p, ctx)? {
            state.logging_target = Some(bucket_name(
                target,
                &push_key(&p, "destinationBucketName"),
                ctx,
            )?);
        }
    }
    if let Some((v, p)) = part("BucketVersioningConfiguration")? {
        let o = obj(&v);
        if let Some(status) = opt_str(&o, "status", &p, ctx)? {
            state.versioning = versioning(status, &push_key(&p, "status"), ctx)?;
        }
    }
    if let Some((v, p)) = part("BucketOwnershipControls")? {
        let o = obj(&v);
        let (rules, rules_path) = if let Some(r) = o.get("ownershipControlsRules") {
            (Some(r), push_key(&p, "ownershipControlsRules"))
        } else if let Some(Value::Object(controls)) = o.get("ownershipControls") {
            (
                controls.get("rules"),
                push_key(&push_key(&p, "ownershipControls"), "rules"),
            )
        } else {
            (o.get("rules"), push_key(&p, "rules"))
        };
        if let Some((rule, rule_path)) = first(rules, &rules_path, ctx)? {
            if let Some(rule) = opt_object(Some(rule), &rule_path, "an ownership rule", ctx)? {
                if let Some(o) = opt_str(rule, "objectOwnership", &rule_path, ctx)? {
                    state.object_ownership = Some(object_ownership(
                        o,
                        &push_key(&rule_path, "objectOwnership"),
                        ctx,
                    )?);
                }
            }
        }
    }
    Ok(())
}

fn encryption_rule(
    rule: &Map<String, Value>,
    path: &str,
    ctx: &Ctx,
) -> Result<Option<EncryptionState>, InputError> {
    let default_path = push_key(path, "applyServerSideEncryptionByDefault");
    let Some(default) = opt_object(
        rule.get("applyServerSideEncryptionByDefault"),
        &default_path,
        "the default encryption",
        ctx,
    )?
    else {
        return Ok(None);
    };
    let Some(algorithm) = opt_str(default, "sseAlgorithm", &default_path, ctx)? else {
        return Ok(None);
    };
    let sse_algorithm = sse_algorithm(algorithm, &push_key(&default_path, "sseAlgorithm"), ctx)?;
    let mut kms_key_id = None;
    for key in ["kmsMasterKeyID", "kmsMasterKeyId"] {
        if let Some(k) = opt_str(default, key, &default_path, ctx)? {
            kms_key_id = Some(kms_key(k, &push_key(&default_path, key), ctx)?);
            break;
        }
    }
    Ok(Some(EncryptionState {
        sse_algorithm,
        kms_key_id,
        bucket_key_enabled: opt_bool(rule, "bucketKeyEnabled", path, ctx)?,
    }))
}

/// Seconds since the epoch of a capture time: a number (the API's epoch seconds) or an ISO 8601
/// string as the CLI (`2024-05-01T10:00:00.123000+00:00`) or a snapshot (`...T10:00:00.123Z`) writes
/// it. `None` for anything else, which then orders by position.
fn epoch(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => {
            let n = n.as_f64()?;
            // Milliseconds, as some SDKs serialise them.
            Some(if n > 1e11 { n / 1000.0 } else { n })
        }
        Value::String(s) => {
            let base = validate::epoch_seconds(&format!("{}Z", s.get(..19)?))?;
            let rest = s.get(19..)?;
            let digits = rest
                .strip_prefix('.')
                .map_or(0, |r| r.bytes().take_while(u8::is_ascii_digit).count());
            let fraction: f64 = if digits > 0 {
                format!("0.{}", rest.get(1..=digits)?).parse().ok()?
            } else {
                0.0
            };
            let zone = &rest[if digits > 0 { digits + 1 } else { 0 }..];
            let offset = match zone {
                "Z" | "" => 0,
                z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) => {
                    let h: i64 = z.get(1..3)?.parse().ok()?;
                    let m: i64 = z.get(4..6)?.parse().ok()?;
                    let sign = if z.starts_with('-') { -1 } else { 1 };
                    sign * (h * 3600 + m * 60)
                }
                _ => return None,
            };
            #[allow(clippy::cast_precision_loss)]
            Some((base - offset) as f64 + fraction)
        }
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn capture_times() {
        let z = epoch(&Value::from("2024-05-01T10:00:00.500Z")).unwrap();
        let cli = epoch(&Value::from("2024-05-01T12:00:00.500000+02:00")).unwrap();
        assert!((z - cli).abs() < 1e-6);
        assert!(epoch(&Value::from("2024-05-01T10:00:01Z")).unwrap() > z);
        assert_eq!(epoch(&Value::from(1_714_557_600.5)), Some(1_714_557_600.5));
        assert_eq!(
            epoch(&Value::from(1_714_557_600_500u64)),
            Some(1_714_557_600.5)
        );
        assert_eq!(epoch(&Value::from("yesterday")), None);
    }
}
