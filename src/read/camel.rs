//! Reads one GuardDuty finding in its native shape — camelCase (API body, EventBridge `detail`, S3
//! export line) or PascalCase (aws CLI / SDK `get-findings`) — into a `Finding`.
//!
//! Only `type`, `accountId`, `region` and `id` are required: real findings leave out whatever does
//! not apply (no API call for Policy types, no buckets for IAM types, `null` encryption...).

use super::node::{kind, Case, Ctx, Node};
use crate::error::InputError;
use crate::model::{
    ApiCall, BlockPublicAccess, Bucket, Encryption, Finding, Principal, PublicAccess, RemoteCaller,
};
use crate::validate;
use serde_json::Value;

const TYPE_EXPECTED: &str =
    "a GuardDuty finding type such as \"Discovery:S3/MaliciousIPCaller.Custom\"";

pub(crate) fn finding(n: &Node<'_>, ctx: &mut Ctx<'_>) -> Result<Finding, InputError> {
    let (finding_type, _) = ctx.req_str(n, "type", TYPE_EXPECTED)?;
    let account_id = checked(
        ctx,
        n,
        "accountId",
        "a 12-digit AWS account id",
        validate::account_id,
    )?;
    let region = checked(
        ctx,
        n,
        "region",
        "an AWS region such as \"us-east-2\"",
        validate::region,
    )?;
    let id = checked(
        ctx,
        n,
        "id",
        "a GuardDuty finding id",
        validate::guardduty_id,
    )?;
    let partition = match n.get("partition") {
        Some(_) => checked(ctx, n, "partition", "an AWS partition", validate::partition)?,
        None => validate::partition_for_region(&region).to_string(),
    };
    let arn = n.get("arn").and_then(|a| checked_arn(ctx, &a));

    let service = n.get("service");
    let svc = |key: &str| service.as_ref().and_then(|s| s.get(key));
    let detector_id = svc("detectorId").and_then(|d| soft_id(ctx, &d));
    let info = additional_info(ctx, svc("additionalInfo"));
    let evidence_list = svc("evidence")
        .and_then(|e| e.get("threatIntelligenceDetails"))
        .map(|d| d.items())
        .unwrap_or_default()
        .into_iter()
        .find_map(|d| ctx.opt_text(&d, "threatListName"));

    let action = svc("action");
    let api_call = match action.as_ref().and_then(|a| a.get("awsApiCallAction")) {
        Some(call) => Some(api_call(ctx, &call)?),
        // Network-connection findings have no API call, only a peer: keep its address, since that is
        // what remediation acts on.
        None => match action
            .as_ref()
            .and_then(|a| a.at(&["networkConnectionAction", "remoteIpDetails"]))
        {
            Some(remote_node) => remote(ctx, &remote_node)?.map(|r| ApiCall {
                remote: Some(r),
                ..ApiCall::default()
            }),
            None => None,
        },
    };

    let resource = n.get("resource");
    let mut buckets = Vec::new();
    if let Some(list) = resource.as_ref().and_then(|r| r.get("s3BucketDetails")) {
        for b in list.items() {
            buckets.push(bucket(ctx, &b)?);
        }
    }
    let principal = resource
        .as_ref()
        .and_then(|r| r.get("accessKeyDetails"))
        .map(|k| principal(ctx, &k));

    Ok(Finding {
        origin: ctx.origin(&n.path),
        finding_type: finding_type.to_string(),
        severity: ctx.number(n.get("severity")).unwrap_or(0.0),
        account_id,
        region,
        partition,
        id,
        arn,
        detector_id,
        sample: info.sample,
        archived: ctx.flag(svc("archived")),
        count: ctx.count(svc("count")),
        first_seen: ctx.timestamp(svc("eventFirstSeen")),
        last_seen: ctx.timestamp(svc("eventLastSeen")),
        created_at: ctx.timestamp(n.get("createdAt")),
        updated_at: ctx.timestamp(n.get("updatedAt")),
        title: ctx.opt_text(n, "title"),
        description: ctx.opt_text(n, "description"),
        api_call,
        threat_list: info.threat_list.or(evidence_list),
        buckets,
        principal,
    })
}

/// A required string that must pass `check`; a failure is an error at the field's own path.
pub(crate) fn checked<T>(
    ctx: &Ctx<'_>,
    n: &Node<'_>,
    key: &str,
    what: &str,
    check: impl Fn(&str) -> Result<T, String>,
) -> Result<String, InputError> {
    let (s, path) = ctx.req_str(n, key, what)?;
    check(s).map_err(|m| ctx.error(&path, m))?;
    Ok(s.to_string())
}

/// An ARN kept for reference only: a malformed one is dropped with a warning.
pub(crate) fn checked_arn(ctx: &mut Ctx<'_>, n: &Node<'_>) -> Option<String> {
    let s = ctx.text(Some(n.clone()))?;
    match validate::arn(&s) {
        Ok(_) => Some(s),
        Err(m) => {
            ctx.warn(&n.path, format!("{m}; ignored"));
            None
        }
    }
}

/// A detector id: dropped with a warning when it is not a safe id.
pub(crate) fn soft_id(ctx: &mut Ctx<'_>, n: &Node<'_>) -> Option<String> {
    let s = ctx.text(Some(n.clone()))?;
    match validate::guardduty_id(&s) {
        Ok(()) => Some(s),
        Err(m) => {
            ctx.warn(&n.path, format!("{m}; ignored"));
            None
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct AdditionalInfo {
    pub sample: bool,
    pub threat_list: Option<String>,
}

/// `service.additionalInfo` comes as an object (EventBridge, exports), as
/// `{"value": "<JSON text>", "type": "default"}` (GetFindings API, CLI), or as a bare JSON string
/// (Security Hub `ProductFields`).
pub(crate) fn additional_info(ctx: &mut Ctx<'_>, n: Option<Node<'_>>) -> AdditionalInfo {
    let Some(n) = n else {
        return AdditionalInfo::default();
    };
    let embedded = match n.v {
        Value::String(s) => Some((s.as_str(), n.path.clone())),
        Value::Object(_) => match n.get("value") {
            Some(Node {
                v: Value::String(s),
                path,
                ..
            }) => Some((s.as_str(), path)),
            _ => None,
        },
        _ => None,
    };
    match embedded {
        None => info_from(ctx, &n),
        Some((text, _)) if text.trim().is_empty() => AdditionalInfo::default(),
        Some((text, path)) => match serde_json::from_str::<Value>(text) {
            Ok(parsed) => info_from(ctx, &Node::new(&parsed, path, Case::Camel)),
            Err(e) => {
                ctx.warn(
                    &path,
                    format!("additionalInfo is not valid JSON ({e}); its sample flag and threat list are ignored"),
                );
                AdditionalInfo::default()
            }
        },
    }
}

fn info_from(ctx: &mut Ctx<'_>, n: &Node<'_>) -> AdditionalInfo {
    AdditionalInfo {
        sample: ctx.flag(n.get("sample")),
        threat_list: ctx.opt_text(n, "threatListName"),
    }
}

/// `awsApiCallAction` (also the ASFF `Action.AwsApiCallAction`, which has the same shape).
pub(crate) fn api_call(ctx: &mut Ctx<'_>, n: &Node<'_>) -> Result<ApiCall, InputError> {
    let remote = match n.get("remoteIpDetails") {
        Some(r) => remote(ctx, &r)?,
        None => None,
    };
    Ok(ApiCall {
        api: ctx.opt_text(n, "api"),
        service_name: ctx.opt_text(n, "serviceName"),
        caller_type: ctx.opt_text(n, "callerType"),
        error_code: ctx.opt_text(n, "errorCode"),
        user_agent: ctx.opt_text(n, "userAgent"),
        remote,
    })
}

/// `remoteIpDetails`; `None` when it names no address at all.
pub(crate) fn remote(ctx: &mut Ctx<'_>, n: &Node<'_>) -> Result<Option<RemoteCaller>, InputError> {
    let Some(ip_node) = n.get("ipAddressV4").or_else(|| n.get("ipAddressV6")) else {
        return Ok(None);
    };
    let ip = match ip_node.v {
        Value::String(s) => validate::ip(s).map_err(|m| ctx.error(&ip_node.path, m))?,
        other => {
            return Err(ctx.error(
                &ip_node.path,
                format!("expected an IPv4 or IPv6 address, found {}", kind(other)),
            ))
        }
    };
    let org = n.get("organization");
    let org_text = |ctx: &mut Ctx<'_>, key: &str| org.as_ref().and_then(|o| ctx.opt_text(o, key));
    Ok(Some(RemoteCaller {
        ip,
        country: ctx.text(n.at(&["country", "countryName"])),
        city: ctx.text(n.at(&["city", "cityName"])),
        asn: org_text(ctx, "asn"),
        asn_org: org_text(ctx, "asnOrg"),
        isp: org_text(ctx, "isp"),
        org: org_text(ctx, "org"),
    }))
}

/// One `s3BucketDetails` entry. The name is the value remediation is written against, so a bad one
/// fails the finding; the ARN and KMS key are informative and are dropped with a warning instead.
fn bucket(ctx: &mut Ctx<'_>, n: &Node<'_>) -> Result<Bucket, InputError> {
    let arn_node = n.get("arn");
    let (name, name_path) = match n.get("name") {
        Some(name_node) => match name_node.v {
            Value::String(s) => (s.clone(), name_node.path.clone()),
            other => {
                return Err(ctx.error(
                    &name_node.path,
                    format!("expected an S3 bucket name, found {}", kind(other)),
                ))
            }
        },
        // Without a name, the ARN is the only way to know the bucket.
        None => match arn_node.as_ref().map(|a| (a, a.v.as_str())) {
            Some((a, Some(s))) => {
                let (name, _) = validate::s3_bucket_arn(s).map_err(|m| ctx.error(&a.path, m))?;
                (name.to_string(), a.path.clone())
            }
            _ => {
                return Err(ctx.error(
                    &n.key_path("name"),
                    "missing required field: expected an S3 bucket name",
                ))
            }
        },
    };
    check_bucket_name(ctx, &name, &name_path)?;
    let arn = arn_node.and_then(|a| bucket_arn(ctx, &a, &name));

    let encryption = n.get("defaultServerSideEncryption").map(|e| Encryption {
        encryption_type: ctx.opt_text(&e, "encryptionType"),
        kms_key_arn: e.get("kmsMasterKeyArn").and_then(|k| kms_arn(ctx, &k)),
    });
    let public_access = n.get("publicAccess").map(|p| {
        let config = p.get("permissionConfiguration");
        let bucket_level = config
            .as_ref()
            .and_then(|c| c.get("bucketLevelPermissions"));
        let at = |keys: &[&str]| bucket_level.as_ref().and_then(|b| b.at(keys));
        PublicAccess {
            effective_permission: ctx.opt_text(&p, "effectivePermission"),
            acl_allows_public_read: ctx.flag(at(&["accessControlList", "allowsPublicReadAccess"])),
            acl_allows_public_write: ctx
                .flag(at(&["accessControlList", "allowsPublicWriteAccess"])),
            policy_allows_public_read: ctx.flag(at(&["bucketPolicy", "allowsPublicReadAccess"])),
            policy_allows_public_write: ctx.flag(at(&["bucketPolicy", "allowsPublicWriteAccess"])),
            bucket_block_public_access: at(&["blockPublicAccess"]).map(|b| block(ctx, &b)),
            account_block_public_access: config
                .as_ref()
                .and_then(|c| c.at(&["accountLevelPermissions", "blockPublicAccess"]))
                .map(|b| block(ctx, &b)),
        }
    });
    let mut tags = Vec::new();
    for tag in n.get("tags").map(|t| t.items()).unwrap_or_default() {
        match (ctx.opt_text(&tag, "key"), ctx.opt_text(&tag, "value")) {
            (Some(k), v) => tags.push((k, v.unwrap_or_default())),
            (None, _) => ctx.warn(&tag.path, "tag without a key; ignored"),
        }
    }
    Ok(Bucket {
        name,
        arn,
        role: ctx.opt_text(n, "type"),
        encryption,
        public_access,
        tags,
        owner_id: n.at(&["owner", "id"]).and_then(|o| ctx.text(Some(o))),
        created_at: ctx.timestamp(n.get("createdAt")),
    })
}

/// Validates a bucket name; a legacy name (capitals, underscores) is kept with a warning.
pub(crate) fn check_bucket_name(
    ctx: &mut Ctx<'_>,
    name: &str,
    path: &str,
) -> Result<(), InputError> {
    let checked = validate::bucket_name(name).map_err(|m| ctx.error(path, m))?;
    if checked.legacy {
        ctx.warn(path, legacy_warning(name));
    }
    Ok(())
}

fn legacy_warning(name: &str) -> String {
    format!(
        "legacy bucket name {name:?}: capitals, underscores or more than 63 characters are only \
         possible for buckets created in us-east-1 before March 2018 (a GuardDuty sample \
         placeholder?)"
    )
}

/// A bucket ARN is kept only if it is well-formed and names the same bucket.
pub(crate) fn bucket_arn(ctx: &mut Ctx<'_>, n: &Node<'_>, name: &str) -> Option<String> {
    let s = ctx.text(Some(n.clone()))?;
    match validate::s3_bucket_arn(&s) {
        Ok((arn_name, _)) if arn_name == name => Some(s),
        Ok((arn_name, _)) => {
            ctx.warn(
                &n.path,
                format!("bucket ARN names {arn_name:?}, not {name:?}; ignored"),
            );
            None
        }
        Err(m) => {
            ctx.warn(&n.path, format!("{m}; ignored"));
            None
        }
    }
}

pub(crate) fn kms_arn(ctx: &mut Ctx<'_>, n: &Node<'_>) -> Option<String> {
    let s = ctx.text(Some(n.clone()))?;
    match validate::kms_key_arn(&s) {
        Ok(_) => Some(s),
        Err(m) => {
            ctx.warn(&n.path, format!("{m}; ignored"));
            None
        }
    }
}

pub(crate) fn block(ctx: &mut Ctx<'_>, n: &Node<'_>) -> BlockPublicAccess {
    BlockPublicAccess {
        block_public_acls: ctx.flag(n.get("blockPublicAcls")),
        ignore_public_acls: ctx.flag(n.get("ignorePublicAcls")),
        block_public_policy: ctx.flag(n.get("blockPublicPolicy")),
        restrict_public_buckets: ctx.flag(n.get("restrictPublicBuckets")),
    }
}

fn principal(ctx: &mut Ctx<'_>, n: &Node<'_>) -> Principal {
    Principal {
        access_key_id: ctx.opt_text(n, "accessKeyId"),
        principal_id: ctx.opt_text(n, "principalId"),
        user_name: ctx.opt_text(n, "userName"),
        user_type: ctx.opt_text(n, "userType"),
    }
}
