//! The project's own model of a GuardDuty finding.
//!
//! Every reader (camelCase API JSON, PascalCase CLI JSON, EventBridge events, Security Hub ASFF, later the
//! SDK) converts its input into these types; nothing downstream knows where a finding came from. Values
//! that end up in generated code (IPs, account ids, ARNs, bucket names) are validated by the readers
//! before a `Finding` exists, so a `Finding` in hand is safe to plan from. Free-text values (user agent,
//! tags, threat list name...) are kept verbatim: they are attacker-controlled and are escaped at render
//! time, never here.

use serde::Serialize;
use std::net::IpAddr;

/// Where a finding was read from: used in error messages only, never in generated output (so the same
/// findings read from different files give byte-identical output).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Origin {
    /// The input as the user named it (`-` for stdin).
    pub file: String,
    /// 1-based line for JSON Lines input.
    pub line: Option<u64>,
    /// JSON path of the finding inside its document, e.g. `$.Findings[0]` or `$` for a bare finding.
    pub path: String,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, " at {}", self.path)
    }
}

/// One GuardDuty finding, normalised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    #[serde(skip)]
    pub origin: Origin,
    /// e.g. `Discovery:S3/MaliciousIPCaller.Custom`.
    pub finding_type: String,
    pub severity: f64,
    /// Validated: 12 digits.
    pub account_id: String,
    /// Validated: `[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d`.
    pub region: String,
    /// `aws`, `aws-cn`, `aws-us-gov`...
    pub partition: String,
    pub id: String,
    pub arn: Option<String>,
    pub detector_id: Option<String>,
    /// GuardDuty-generated sample finding (`additionalInfo.sample`).
    pub sample: bool,
    pub archived: bool,
    pub count: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub api_call: Option<ApiCall>,
    /// Name of the threat list that matched (custom threat lists, from `additionalInfo` or `evidence`).
    pub threat_list: Option<String>,
    pub buckets: Vec<Bucket>,
    pub principal: Option<Principal>,
}

/// `service.action.awsApiCallAction`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ApiCall {
    pub api: Option<String>,
    pub service_name: Option<String>,
    pub caller_type: Option<String>,
    /// `AccessDenied` and friends: the call was refused. Absent: it succeeded.
    pub error_code: Option<String>,
    pub user_agent: Option<String>,
    pub remote: Option<RemoteCaller>,
}

/// `remoteIpDetails`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteCaller {
    /// Validated IPv4 or IPv6 address.
    pub ip: IpAddr,
    pub country: Option<String>,
    pub city: Option<String>,
    pub asn: Option<String>,
    pub asn_org: Option<String>,
    pub isp: Option<String>,
    pub org: Option<String>,
}

/// One entry of `resource.s3BucketDetails`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Bucket {
    /// Validated bucket name (legacy names with capitals are accepted with a warning).
    pub name: String,
    pub arn: Option<String>,
    /// `Destination` or `Source` (GuardDuty's `type`).
    pub role: Option<String>,
    pub encryption: Option<Encryption>,
    pub public_access: Option<PublicAccess>,
    /// Verbatim, attacker-influenced: escaped at render time.
    pub tags: Vec<(String, String)>,
    pub owner_id: Option<String>,
    pub created_at: Option<String>,
}

/// `defaultServerSideEncryption`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Encryption {
    /// `AES256`, `aws:kms`, `aws:kms:dsse`, or whatever GuardDuty wrote (samples say `SSEAlgorithm`).
    pub encryption_type: Option<String>,
    /// Only kept when it is a well-formed KMS key ARN.
    pub kms_key_arn: Option<String>,
}

/// `publicAccess`: what GuardDuty computed about the bucket's exposure.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PublicAccess {
    /// `PUBLIC` or `NOT_PUBLIC`.
    pub effective_permission: Option<String>,
    pub acl_allows_public_read: bool,
    pub acl_allows_public_write: bool,
    pub policy_allows_public_read: bool,
    pub policy_allows_public_write: bool,
    pub bucket_block_public_access: Option<BlockPublicAccess>,
    pub account_block_public_access: Option<BlockPublicAccess>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct BlockPublicAccess {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

/// `resource.accessKeyDetails`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Principal {
    pub access_key_id: Option<String>,
    pub principal_id: Option<String>,
    pub user_name: Option<String>,
    /// `IAMUser`, `AssumedRole`, `Root`, `FederatedUser`...
    pub user_type: Option<String>,
}

impl Finding {
    /// The remote caller's IP, if the finding carries one.
    pub fn remote_ip(&self) -> Option<IpAddr> {
        self.api_call.as_ref()?.remote.as_ref().map(|r| r.ip)
    }
}

/// A non-fatal observation made while reading (legacy bucket name, placeholder values...).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    #[serde(skip)]
    pub origin: Origin,
    pub message: String,
}
