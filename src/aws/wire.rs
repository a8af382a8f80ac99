//! GuardDuty findings from the SDK's types back to GuardDuty's own JSON (the camelCase wire form of
//! the GetFindings API, which is also what EventBridge and the S3 export carry), so that a finding
//! fetched through the SDK goes through the very reader, validation and normalisation a finding
//! read from a file does, and yields the same model.
//!
//! The SDK's types have no serde support, so this is written out field by field. It covers every
//! field tfremedy reads (and the rest of the S3 and IAM parts of a finding, so `tfremedy fetch`
//! output stays useful to other tools); resource details of other services (EC2, EKS, RDS, ...) are
//! left out. Absent values stay absent: nothing is invented.

use aws_sdk_guardduty::primitives::DateTime;
use aws_sdk_guardduty::types::{
    AccessKeyDetails, Action, AwsApiCallAction, BlockPublicAccess, Finding, PublicAccess,
    RemoteIpDetails, Resource, S3BucketDetail, Service,
};
use serde_json::{Map, Value};

/// An object under construction that skips absent members.
struct Obj(Map<String, Value>);

impl Obj {
    fn new() -> Self {
        Self(Map::new())
    }
    fn str(mut self, key: &str, v: Option<&str>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), Value::String(v.to_string()));
        }
        self
    }
    fn bool(mut self, key: &str, v: Option<bool>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), Value::Bool(v));
        }
        self
    }
    fn num(mut self, key: &str, v: Option<f64>) -> Self {
        if let Some(n) = v.and_then(serde_json::Number::from_f64) {
            self.0.insert(key.into(), Value::Number(n));
        }
        self
    }
    fn int(mut self, key: &str, v: Option<i64>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), Value::Number(v.into()));
        }
        self
    }
    fn obj(mut self, key: &str, v: Option<Obj>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), v.done());
        }
        self
    }
    /// A list member: written when the SDK had one (even empty), as the wire did.
    fn list(mut self, key: &str, present: bool, items: Vec<Value>) -> Self {
        if present {
            self.0.insert(key.into(), Value::Array(items));
        }
        self
    }
    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// One finding in GuardDuty's camelCase JSON.
pub fn finding(f: &Finding) -> Value {
    Obj::new()
        .str("schemaVersion", f.schema_version())
        .str("accountId", f.account_id())
        .str("region", f.region())
        .str("partition", f.partition())
        .str("id", f.id())
        .str("arn", f.arn())
        .str("type", f.r#type())
        .obj("resource", f.resource().map(resource))
        .obj("service", f.service().map(service))
        .num("severity", f.severity())
        .num("confidence", f.confidence())
        .str("createdAt", f.created_at())
        .str("updatedAt", f.updated_at())
        .str("title", f.title())
        .str("description", f.description())
        .str(
            "associatedAttackSequenceArn",
            f.associated_attack_sequence_arn(),
        )
        .done()
}

fn resource(r: &Resource) -> Obj {
    Obj::new()
        .str("resourceType", r.resource_type())
        .obj("accessKeyDetails", r.access_key_details().map(access_key))
        .list(
            "s3BucketDetails",
            r.s3_bucket_details.is_some(),
            r.s3_bucket_details()
                .iter()
                .map(|b| bucket(b).done())
                .collect(),
        )
}

fn access_key(k: &AccessKeyDetails) -> Obj {
    Obj::new()
        .str("accessKeyId", k.access_key_id())
        .str("principalId", k.principal_id())
        .str("userName", k.user_name())
        .str("userType", k.user_type())
}

fn bucket(b: &S3BucketDetail) -> Obj {
    let tags: Vec<Value> = b
        .tags()
        .iter()
        .map(|t| {
            Obj::new()
                .str("key", t.key())
                .str("value", t.value())
                .done()
        })
        .collect();
    Obj::new()
        .str("arn", b.arn())
        .str("name", b.name())
        .str("type", b.r#type())
        .num("createdAt", b.created_at().map(epoch_seconds))
        .obj("owner", b.owner().map(|o| Obj::new().str("id", o.id())))
        .list("tags", b.tags.is_some(), tags)
        .obj(
            "defaultServerSideEncryption",
            b.default_server_side_encryption().map(|e| {
                Obj::new()
                    .str("encryptionType", e.encryption_type())
                    .str("kmsMasterKeyArn", e.kms_master_key_arn())
            }),
        )
        .obj("publicAccess", b.public_access().map(public_access))
}

fn public_access(p: &PublicAccess) -> Obj {
    let config = p.permission_configuration().map(|c| {
        let bucket_level = c.bucket_level_permissions().map(|b| {
            Obj::new()
                .obj(
                    "accessControlList",
                    b.access_control_list().map(|a| {
                        Obj::new()
                            .bool("allowsPublicReadAccess", a.allows_public_read_access())
                            .bool("allowsPublicWriteAccess", a.allows_public_write_access())
                    }),
                )
                .obj(
                    "bucketPolicy",
                    b.bucket_policy().map(|a| {
                        Obj::new()
                            .bool("allowsPublicReadAccess", a.allows_public_read_access())
                            .bool("allowsPublicWriteAccess", a.allows_public_write_access())
                    }),
                )
                .obj("blockPublicAccess", b.block_public_access().map(block))
        });
        let account_level = c
            .account_level_permissions()
            .map(|a| Obj::new().obj("blockPublicAccess", a.block_public_access().map(block)));
        Obj::new()
            .obj("bucketLevelPermissions", bucket_level)
            .obj("accountLevelPermissions", account_level)
    });
    Obj::new()
        .str("effectivePermission", p.effective_permission())
        .obj("permissionConfiguration", config)
}

fn block(b: &BlockPublicAccess) -> Obj {
    Obj::new()
        .bool("ignorePublicAcls", b.ignore_public_acls())
        .bool("restrictPublicBuckets", b.restrict_public_buckets())
        .bool("blockPublicAcls", b.block_public_acls())
        .bool("blockPublicPolicy", b.block_public_policy())
}

fn service(s: &Service) -> Obj {
    let evidence = s.evidence().map(|e| {
        let details: Vec<Value> = e
            .threat_intelligence_details()
            .iter()
            .map(|d| {
                Obj::new()
                    .str("threatListName", d.threat_list_name())
                    .list(
                        "threatNames",
                        d.threat_names.is_some(),
                        d.threat_names()
                            .iter()
                            .map(|n| Value::String(n.clone()))
                            .collect(),
                    )
                    .str("threatFileSha256", d.threat_file_sha256())
                    .done()
            })
            .collect();
        Obj::new().list(
            "threatIntelligenceDetails",
            e.threat_intelligence_details.is_some(),
            details,
        )
    });
    Obj::new()
        .obj("action", s.action().map(action))
        .obj("evidence", evidence)
        .bool("archived", s.archived())
        .int("count", s.count().map(i64::from))
        .str("detectorId", s.detector_id())
        .str("eventFirstSeen", s.event_first_seen())
        .str("eventLastSeen", s.event_last_seen())
        .str("resourceRole", s.resource_role())
        .str("serviceName", s.service_name())
        .str("userFeedback", s.user_feedback())
        .str("featureName", s.feature_name())
        .obj(
            "additionalInfo",
            s.additional_info()
                .map(|a| Obj::new().str("value", a.value()).str("type", a.r#type())),
        )
}

fn action(a: &Action) -> Obj {
    Obj::new()
        .str("actionType", a.action_type())
        .obj("awsApiCallAction", a.aws_api_call_action().map(api_call))
        .obj(
            "networkConnectionAction",
            a.network_connection_action().map(|n| {
                Obj::new()
                    .bool("blocked", n.blocked())
                    .str("connectionDirection", n.connection_direction())
                    .str("protocol", n.protocol())
                    .obj("remoteIpDetails", n.remote_ip_details().map(remote_ip))
            }),
        )
}

fn api_call(c: &AwsApiCallAction) -> Obj {
    let affected = c.affected_resources().map(|m| {
        // Sorted, so that the same finding always gives the same JSON.
        let sorted: std::collections::BTreeMap<&String, &String> = m.iter().collect();
        let mut obj = Obj::new();
        for (k, v) in sorted {
            obj = obj.str(k, Some(v));
        }
        obj
    });
    Obj::new()
        .str("api", c.api())
        .str("callerType", c.caller_type())
        .obj(
            "domainDetails",
            c.domain_details()
                .map(|d| Obj::new().str("domain", d.domain())),
        )
        .str("errorCode", c.error_code())
        .str("userAgent", c.user_agent())
        .obj("remoteIpDetails", c.remote_ip_details().map(remote_ip))
        .str("serviceName", c.service_name())
        .obj(
            "remoteAccountDetails",
            c.remote_account_details().map(|r| {
                Obj::new()
                    .str("accountId", r.account_id())
                    .bool("affiliated", r.affiliated())
            }),
        )
        .obj("affectedResources", affected)
}

fn remote_ip(r: &RemoteIpDetails) -> Obj {
    Obj::new()
        .obj(
            "city",
            r.city().map(|c| Obj::new().str("cityName", c.city_name())),
        )
        .obj(
            "country",
            r.country().map(|c| {
                Obj::new()
                    .str("countryCode", c.country_code())
                    .str("countryName", c.country_name())
            }),
        )
        .obj(
            "geoLocation",
            r.geo_location()
                .map(|g| Obj::new().num("lat", g.lat()).num("lon", g.lon())),
        )
        .str("ipAddressV4", r.ip_address_v4())
        .str("ipAddressV6", r.ip_address_v6())
        .obj(
            "organization",
            r.organization().map(|o| {
                Obj::new()
                    .str("asn", o.asn())
                    .str("asnOrg", o.asn_org())
                    .str("isp", o.isp())
                    .str("org", o.org())
            }),
        )
}

/// A timestamp as the wire writes it: epoch seconds, with a fraction when there is one.
fn epoch_seconds(t: &DateTime) -> f64 {
    // Timestamps of findings are far inside the range where this is exact to the millisecond.
    #[allow(clippy::cast_precision_loss)]
    let secs = t.secs() as f64;
    secs + f64::from(t.subsec_nanos()) / 1e9
}
