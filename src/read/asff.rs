//! Reads a Security Hub (ASFF) finding whose product is GuardDuty into a `Finding`.
//!
//! ASFF carries GuardDuty's `service` block flattened into string-valued `ProductFields` keys
//! (`aws/guardduty/service/action/awsApiCallAction/remoteIpDetails/ipAddressV4`), the finding type
//! mangled into `Types[]` (`TTPs/Discovery/Discovery:S3-MaliciousIPCaller.Custom`) and the resources as
//! ASFF `Resources[]`. Some GuardDuty details have no ASFF counterpart and come out empty: the bucket's
//! `type` (Destination/Source), account-level Block Public Access, the ACL/policy public flags and
//! GuardDuty's effective permission.

use super::camel::{self, AdditionalInfo};
use super::node::{push_key, Case, Ctx, Node};
use crate::error::InputError;
use crate::model::{ApiCall, Bucket, Encryption, Finding, Principal, PublicAccess, RemoteCaller};
use crate::validate;
use serde_json::{Map, Value};

const SERVICE: &str = "aws/guardduty/service/";

/// Whether an object is an ASFF finding at all (of any product).
pub(crate) fn is_asff(obj: &Map<String, Value>) -> bool {
    obj.get("SchemaVersion").and_then(Value::as_str) == Some("2018-10-08")
        || obj.contains_key("ProductArn")
        || obj.contains_key("AwsAccountId")
}

fn is_guardduty(obj: &Map<String, Value>) -> bool {
    let by_product = obj
        .get("ProductArn")
        .and_then(Value::as_str)
        .is_some_and(|p| p.ends_with("/product/aws/guardduty"));
    let by_fields = obj
        .get("ProductFields")
        .and_then(Value::as_object)
        .is_some_and(|f| f.keys().any(|k| k.starts_with("aws/guardduty/")));
    by_product || by_fields
}

/// `ProductFields`, looked up by key, with paths such as `$.ProductFields["aws/guardduty/..."]`.
struct Fields<'v> {
    map: Option<&'v Map<String, Value>>,
    path: String,
}

impl<'v> Fields<'v> {
    fn node(&self, key: &str) -> Option<Node<'v>> {
        let (k, v) = self.map?.get_key_value(key)?;
        if v.is_null() || v.as_str() == Some("") {
            return None;
        }
        Some(Node::new(v, push_key(&self.path, k), Case::Camel))
    }

    fn service(&self, key: &str) -> Option<Node<'v>> {
        self.node(&format!("{SERVICE}{key}"))
    }
}

pub(crate) fn finding(n: &Node<'_>, ctx: &mut Ctx<'_>) -> Result<Finding, InputError> {
    let obj = n.v.as_object();
    if !obj.is_some_and(is_guardduty) {
        let product = n
            .get("productArn")
            .and_then(|p| p.v.as_str().map(str::to_string));
        return Err(ctx.error(
            &n.key_path("productArn"),
            format!(
                "expected a Security Hub finding from GuardDuty (ProductArn ending in \
                 /product/aws/guardduty), found {}",
                product.map_or_else(|| "none".to_string(), |p| format!("{p:?}"))
            ),
        ));
    }
    let fields_node = n.get("productFields");
    let fields = Fields {
        map: fields_node.as_ref().and_then(|f| f.v.as_object()),
        path: fields_node.map_or_else(|| n.key_path("productFields"), |f| f.path),
    };
    let resources = n.get("resources").map(|r| r.items()).unwrap_or_default();

    let finding_type = finding_type(ctx, n, &fields)?;
    let account_id = camel::checked(
        ctx,
        n,
        "awsAccountId",
        "a 12-digit AWS account id",
        validate::account_id,
    )?;
    let (id_text, id_path) = ctx.req_str(n, "id", "a GuardDuty finding ARN")?;
    let arn_parts: Vec<&str> = id_text.split(':').collect();
    // The Id is the GuardDuty finding ARN; Amazon's own documentation example spells it
    // `arn:aws::guardduty:...`, so the region is found after the `guardduty` segment, not by position.
    let arn_region = arn_parts
        .iter()
        .position(|p| *p == "guardduty")
        .and_then(|i| arn_parts.get(i + 1))
        .filter(|r| !r.is_empty());
    let id = id_text
        .rsplit_once("/finding/")
        .map_or(id_text, |(_, id)| id)
        .to_string();
    validate::guardduty_id(&id).map_err(|m| ctx.error(&id_path, m))?;

    let region = match (n.get("region"), arn_region) {
        (Some(_), _) => camel::checked(ctx, n, "region", "an AWS region", validate::region)?,
        (None, Some(r)) => {
            validate::region(r).map_err(|m| ctx.error(&id_path, m))?;
            r.to_string()
        }
        (None, None) => match resources.iter().find_map(|r| r.get("region")) {
            Some(r) => {
                let s = r.v.as_str().unwrap_or_default();
                validate::region(s).map_err(|m| ctx.error(&r.path, m))?;
                s.to_string()
            }
            None => {
                return Err(ctx.error(
                    &n.key_path("region"),
                    "missing required field: expected an AWS region (Region, or the region of the finding ARN in Id)",
                ))
            }
        },
    };
    let partition = match resources.iter().find_map(|r| r.get("partition")) {
        Some(p) => {
            let s = p.v.as_str().unwrap_or_default();
            validate::partition(s).map_err(|m| ctx.error(&p.path, m))?;
            s.to_string()
        }
        None => validate::partition_for_region(&region).to_string(),
    };
    let arn = if id_text.starts_with("arn:") {
        let id_node = n.get("id");
        id_node.and_then(|i| camel::checked_arn(ctx, &i))
    } else {
        None
    };

    let detector_id = match fields.service("detectorId") {
        Some(d) => camel::soft_id(ctx, &d),
        None => n
            .get("generatorId")
            .and_then(|g| g.v.as_str())
            .and_then(|g| g.rsplit_once(":detector/"))
            .map(|(_, d)| d.to_string())
            .filter(|d| validate::guardduty_id(d).is_ok()),
    };

    let mut info = camel::additional_info(ctx, fields.service("additionalInfo"));
    if let Some(s) = fields.service("additionalInfo/sample") {
        info.sample |= ctx.flag(Some(s));
    }
    if n.get("sample").is_some() {
        info.sample |= ctx.flag(n.get("sample"));
    }
    let AdditionalInfo {
        sample,
        threat_list,
    } = info;
    let threat_list = threat_list
        .or_else(|| ctx.text(fields.service("additionalInfo/threatListName")))
        .or_else(|| evidence_threat_list(ctx, &fields));

    let severity = severity(ctx, n);
    let api_call = api_call(ctx, n, &fields)?;

    let mut buckets = Vec::new();
    let mut principal = None;
    for r in &resources {
        match r.get("type").and_then(|t| t.v.as_str()) {
            Some("AwsS3Bucket") => buckets.push(bucket(ctx, r)?),
            Some("AwsIamAccessKey") if principal.is_none() => principal = Some(access_key(ctx, r)),
            _ => {}
        }
    }

    Ok(Finding {
        origin: ctx.origin(&n.path),
        finding_type,
        severity,
        account_id,
        region,
        partition,
        id,
        arn,
        detector_id,
        sample,
        archived: ctx.flag(fields.service("archived")),
        count: ctx.count(fields.service("count")),
        first_seen: ctx
            .timestamp(fields.service("eventFirstSeen"))
            .or_else(|| ctx.timestamp(n.get("firstObservedAt"))),
        last_seen: ctx
            .timestamp(fields.service("eventLastSeen"))
            .or_else(|| ctx.timestamp(n.get("lastObservedAt"))),
        created_at: ctx.timestamp(n.get("createdAt")),
        updated_at: ctx.timestamp(n.get("updatedAt")),
        title: ctx.opt_text(n, "title"),
        description: ctx.opt_text(n, "description"),
        api_call,
        threat_list,
        buckets,
        principal,
    })
}

/// `TTPs/Discovery/Discovery:S3-MaliciousIPCaller.Custom` → `Discovery:S3/MaliciousIPCaller.Custom`:
/// ASFF type paths cannot hold GuardDuty's `/`, so it became the first `-` after the colon.
fn finding_type(ctx: &Ctx<'_>, n: &Node<'_>, fields: &Fields<'_>) -> Result<String, InputError> {
    if let Some(t) = fields.node("aws/guardduty/type").and_then(|t| t.v.as_str()) {
        return Ok(t.to_string());
    }
    let candidates = n
        .get("types")
        .into_iter()
        .chain(n.at(&["findingProviderFields", "types"]));
    for list in candidates {
        for t in list.items() {
            let Some(s) = t.v.as_str() else { continue };
            let last = s.rsplit('/').next().unwrap_or(s);
            if let Some((tactic, rest)) = last.split_once(':') {
                let rest = rest.replacen('-', "/", 1);
                if !tactic.is_empty() && !rest.is_empty() {
                    return Ok(format!("{tactic}:{rest}"));
                }
            }
        }
    }
    Err(ctx.error(
        &n.key_path("types"),
        "expected a Types entry naming the GuardDuty finding type, such as \
         \"TTPs/Discovery/Discovery:S3-MaliciousIPCaller.Custom\"",
    ))
}

/// `Severity.Product` is GuardDuty's own 0.1-8.9 value; `Normalized` is that on a 0-100 scale.
fn severity(ctx: &mut Ctx<'_>, n: &Node<'_>) -> f64 {
    let sev = n.get("severity");
    let get = |key: &str| sev.as_ref().and_then(|s| s.get(key));
    ctx.number(get("product"))
        .or_else(|| ctx.number(n.at(&["findingProviderFields", "severity", "original"])))
        .or_else(|| ctx.number(get("original")))
        .or_else(|| ctx.number(get("normalized")).map(|x| x / 10.0))
        .unwrap_or(0.0)
}

fn evidence_threat_list(ctx: &mut Ctx<'_>, fields: &Fields<'_>) -> Option<String> {
    let prefix = format!("{SERVICE}evidence/threatIntelligenceDetails/");
    let key = fields
        .map?
        .keys()
        .find(|k| k.starts_with(&prefix) && k.ends_with("/threatListName"))?
        .clone();
    ctx.text(fields.node(&key))
}

/// The API call, from `ProductFields` or else the ASFF `Action` object; for network connections only
/// the peer's address is kept (see the camelCase reader).
fn api_call(
    ctx: &mut Ctx<'_>,
    n: &Node<'_>,
    fields: &Fields<'_>,
) -> Result<Option<ApiCall>, InputError> {
    let call = "action/awsApiCallAction/";
    let has_call = fields
        .map
        .is_some_and(|m| m.keys().any(|k| k.starts_with(&format!("{SERVICE}{call}"))));
    if has_call {
        let get = |key: &str| fields.service(&format!("{call}{key}"));
        return Ok(Some(ApiCall {
            api: ctx.text(get("api")),
            service_name: ctx.text(get("serviceName")),
            caller_type: ctx.text(get("callerType")),
            error_code: ctx.text(get("errorCode")),
            user_agent: ctx.text(get("userAgent")),
            remote: fields_remote(ctx, fields, &format!("{call}remoteIpDetails/"))?,
        }));
    }
    if let Some(action) = n.at(&["action", "awsApiCallAction"]) {
        return camel::api_call(ctx, &action).map(Some);
    }
    let remote = match fields_remote(
        ctx,
        fields,
        "action/networkConnectionAction/remoteIpDetails/",
    )? {
        Some(r) => Some(r),
        None => match n.at(&["action", "networkConnectionAction", "remoteIpDetails"]) {
            Some(r) => camel::remote(ctx, &r)?,
            None => None,
        },
    };
    Ok(remote.map(|r| ApiCall {
        remote: Some(r),
        ..ApiCall::default()
    }))
}

fn fields_remote(
    ctx: &mut Ctx<'_>,
    fields: &Fields<'_>,
    prefix: &str,
) -> Result<Option<RemoteCaller>, InputError> {
    let get = |key: &str| fields.service(&format!("{prefix}{key}"));
    let Some(ip_node) = get("ipAddressV4").or_else(|| get("ipAddressV6")) else {
        return Ok(None);
    };
    let ip = validate::ip(ip_node.v.as_str().unwrap_or_default())
        .map_err(|m| ctx.error(&ip_node.path, m))?;
    Ok(Some(RemoteCaller {
        ip,
        country: ctx.text(get("country/countryName")),
        city: ctx.text(get("city/cityName")),
        asn: ctx.text(get("organization/asn")),
        asn_org: ctx.text(get("organization/asnOrg")),
        isp: ctx.text(get("organization/isp")),
        org: ctx.text(get("organization/org")),
    }))
}

/// A `Resources[]` entry of type `AwsS3Bucket`: `Id` is the bucket ARN, details in
/// `Details.AwsS3Bucket`.
fn bucket(ctx: &mut Ctx<'_>, r: &Node<'_>) -> Result<Bucket, InputError> {
    let details = r.at(&["details", "awsS3Bucket"]);
    let d = |key: &str| details.as_ref().and_then(|x| x.get(key));
    let id = r.get("id");
    let id_text = id.as_ref().and_then(|i| i.v.as_str());
    let (name, name_path) = match (d("name"), id_text) {
        (
            Some(Node {
                v: Value::String(s),
                path,
                ..
            }),
            _,
        ) => (s.clone(), path),
        (_, Some(s)) if s.starts_with("arn:") => {
            let path = id
                .as_ref()
                .map_or_else(|| r.key_path("id"), |i| i.path.clone());
            let (name, _) = validate::s3_bucket_arn(s).map_err(|m| ctx.error(&path, m))?;
            (name.to_string(), path)
        }
        (_, Some(s)) => (
            s.to_string(),
            id.as_ref().map_or_else(String::new, |i| i.path.clone()),
        ),
        _ => {
            return Err(ctx.error(
                &r.key_path("id"),
                "missing required field: expected the bucket ARN",
            ))
        }
    };
    camel::check_bucket_name(ctx, &name, &name_path)?;
    let arn = match (&id, id_text) {
        (Some(i), Some(s)) if s.starts_with("arn:") => camel::bucket_arn(ctx, i, &name),
        _ => None,
    };
    let rule = d("serverSideEncryptionConfiguration")
        .and_then(|c| c.get("rules"))
        .and_then(|rules| rules.items().into_iter().next())
        .and_then(|rule| rule.get("applyServerSideEncryptionByDefault"));
    let encryption = rule.map(|e| Encryption {
        encryption_type: ctx.opt_text(&e, "sSEAlgorithm"),
        kms_key_arn: e
            .get("kMSMasterKeyID")
            .and_then(|k| camel::kms_arn(ctx, &k)),
    });
    let public_access = d("publicAccessBlockConfiguration").map(|b| PublicAccess {
        bucket_block_public_access: Some(camel::block(ctx, &b)),
        ..PublicAccess::default()
    });
    let mut tags = Vec::new();
    if let Some(Node {
        v: Value::Object(map),
        ..
    }) = r.get("tags")
    {
        for (k, v) in map {
            tags.push((
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            ));
        }
    }
    Ok(Bucket {
        name,
        arn,
        role: None,
        encryption,
        public_access,
        tags,
        owner_id: ctx.text(d("ownerId")),
        created_at: ctx.timestamp(d("createdAt")),
    })
}

/// A `Resources[]` entry of type `AwsIamAccessKey`.
fn access_key(ctx: &mut Ctx<'_>, r: &Node<'_>) -> Principal {
    let details = r.at(&["details", "awsIamAccessKey"]);
    let d = |key: &str| details.as_ref().and_then(|x| x.get(key));
    Principal {
        access_key_id: ctx.text(d("accessKeyId")).or_else(|| ctx.text(r.get("id"))),
        principal_id: ctx.text(d("principalId")),
        user_name: ctx
            .text(d("principalName"))
            .or_else(|| ctx.text(d("userName"))),
        user_type: ctx.text(d("principalType")),
    }
}
