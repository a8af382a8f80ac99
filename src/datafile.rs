//! The one generated data file (`tfremedy_data.tf`): what came from findings, as plain HCL.
//!
//! The modules are static; this file says which buckets, which CIDRs, which switches. A new finding for a
//! known bucket changes one line here, so the PR diff says exactly that. The file is also the memory
//! between runs: it is read back (hcl-rs parses it, nothing is printed through hcl-rs) and merged, and
//! values a human changed by hand win over what the tool would choose, except that CIDR lists are
//! unioned. IPs in `ignore_cidrs` are never blocked again (the way to record "this is a partner's IP";
//! deleting a line from `deny` alone is undone by the next run over the same finding).
//!
//! Each denied CIDR is one line, a one-line object holding the CIDR and the reason (the finding that
//! named it): one-line objects are never aligned by `terraform fmt`, so adding an IP changes exactly one
//! line, and the reviewer sees why each IP is there. The reason and the bucket's tags are finding text,
//! escaped like every other value.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FILE_NAME: &str = "tfremedy_data.tf";

/// Whether the bucket already has a policy, as far as anyone knows.
pub const POLICY_UNKNOWN: &str = "unknown";
pub const POLICY_NONE: &str = "none";
pub const POLICY_READ: &str = "read";

pub const SSE_KMS: &str = "aws:kms";
pub const SSE_DSSE_KMS: &str = "aws:kms:dsse";

/// The whole data file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DataFile {
    pub buckets: BTreeMap<String, DataBucket>,
    /// The account-level monitoring (trail, alarms, GuardDuty alert); one per output directory.
    pub monitor: Option<DataMonitor>,
    /// Credential responses, keyed `<kind>/<name>`.
    pub principals: BTreeMap<String, DataPrincipal>,
}

/// The account-level monitor's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataMonitor {
    pub account_id: String,
    pub region: String,
    /// An existing (organisation) trail's log group: then no trail is created.
    pub existing_log_group: Option<String>,
    pub data_events: bool,
    pub alarms: bool,
    pub guardduty_alert: bool,
}

pub const KIND_IAM_USER: &str = "iam-user";
pub const KIND_ASSUMED_ROLE: &str = "assumed-role";

/// One principal's credential response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataPrincipal {
    pub account_id: String,
    /// `iam-user` or `assumed-role`.
    pub kind: String,
    /// The IAM user or role name.
    pub name: String,
    pub access_key_id: Option<String>,
    pub quarantine: bool,
    pub deactivate_key: bool,
    /// Set by a human once the import block is in the root module.
    pub key_import_in_root: bool,
    pub require_mfa: bool,
    pub revoke_sessions: bool,
    /// RFC 3339 UTC, seconds precision.
    pub revoke_sessions_before: Option<String>,
}

/// One bucket's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataBucket {
    pub account_id: String,
    pub existing_policy: String,
    pub tls_only: bool,
    pub default_encryption: bool,
    pub sse_algorithm: String,
    pub kms_key_arn: Option<String>,
    pub public_access_block: bool,
    pub deny: Vec<DenyEntry>,
    pub ignore_cidrs: Vec<String>,
    /// The bucket's tags as GuardDuty saw them: who owns the bucket, for the reviewer.
    pub bucket_tags: BTreeMap<String, String>,
}

/// One denied CIDR and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenyEntry {
    pub cidr: String,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Root {
    locals: Locals,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Locals {
    #[serde(default)]
    tfremedy_buckets: BTreeMap<String, DataBucket>,
    #[serde(default)]
    tfremedy_monitor: Option<DataMonitor>,
    #[serde(default)]
    tfremedy_principals: BTreeMap<String, DataPrincipal>,
}

/// Parses a data file written by an earlier run (possibly edited by hand) and checks every value that
/// goes into code.
pub fn parse(text: &str) -> Result<DataFile, String> {
    let value: hcl::Value = hcl::from_str(text).map_err(|e| format!("not valid HCL: {e}"))?;
    let json = serde_json::to_value(value).map_err(|e| e.to_string())?;
    let root: Root = serde_json::from_value(json).map_err(|e| {
        format!("expected `locals {{ tfremedy_buckets = {{ \"<bucket>\" = {{ ... }} }} }}` as tfremedy writes it: {e}")
    })?;
    let locals = root.locals;
    for (name, b) in &locals.tfremedy_buckets {
        check_bucket(name, b).map_err(|e| format!("local.tfremedy_buckets[\"{name}\"].{e}"))?;
    }
    if let Some(m) = &locals.tfremedy_monitor {
        check_monitor(m).map_err(|e| format!("local.tfremedy_monitor.{e}"))?;
    }
    for (key, p) in &locals.tfremedy_principals {
        check_principal(key, p).map_err(|e| format!("local.tfremedy_principals[\"{key}\"].{e}"))?;
    }
    Ok(DataFile {
        buckets: locals.tfremedy_buckets,
        monitor: locals.tfremedy_monitor,
        principals: locals.tfremedy_principals,
    })
}

fn check_bucket(name: &str, b: &DataBucket) -> Result<(), String> {
    crate::validate::bucket_name(name).map_err(|e| format!(": bucket name: {e}"))?;
    crate::validate::account_id(&b.account_id).map_err(|e| format!("account_id: {e}"))?;
    if ![POLICY_UNKNOWN, POLICY_NONE, POLICY_READ].contains(&b.existing_policy.as_str()) {
        return Err(format!(
            "existing_policy: expected \"unknown\", \"none\" or \"read\", found {:?}",
            b.existing_policy
        ));
    }
    if ![SSE_KMS, SSE_DSSE_KMS].contains(&b.sse_algorithm.as_str()) {
        return Err(format!(
            "sse_algorithm: expected \"aws:kms\" or \"aws:kms:dsse\", found {:?}",
            b.sse_algorithm
        ));
    }
    if let Some(arn) = &b.kms_key_arn {
        crate::validate::kms_key_arn(arn).map_err(|e| format!("kms_key_arn: {e}"))?;
    }
    let deny = b.deny.iter().map(|d| ("deny", &d.cidr));
    let ignore = b.ignore_cidrs.iter().map(|c| ("ignore_cidrs", c));
    for (field, c) in deny.chain(ignore) {
        c.parse::<IpNet>().map_err(|_| {
            format!("{field}: expected a CIDR such as \"192.0.2.1/32\", found {c:?}")
        })?;
    }
    Ok(())
}

fn check_monitor(m: &DataMonitor) -> Result<(), String> {
    crate::validate::account_id(&m.account_id).map_err(|e| format!("account_id: {e}"))?;
    crate::validate::region(&m.region).map_err(|e| format!("region: {e}"))?;
    if let Some(group) = &m.existing_log_group {
        crate::validate::log_group_name(group).map_err(|e| format!("existing_log_group: {e}"))?;
    }
    Ok(())
}

fn check_principal(key: &str, p: &DataPrincipal) -> Result<(), String> {
    crate::validate::account_id(&p.account_id).map_err(|e| format!("account_id: {e}"))?;
    if ![KIND_IAM_USER, KIND_ASSUMED_ROLE].contains(&p.kind.as_str()) {
        return Err(format!(
            "kind: expected \"{KIND_IAM_USER}\" or \"{KIND_ASSUMED_ROLE}\", found {:?}",
            p.kind
        ));
    }
    crate::validate::iam_name(&p.name).map_err(|e| format!("name: {e}"))?;
    if key != principal_key(&p.kind, &p.name) {
        return Err(format!(
            ": the key must be \"{}\" (kind/name)",
            principal_key(&p.kind, &p.name)
        ));
    }
    if let Some(id) = &p.access_key_id {
        crate::validate::access_key_id(id).map_err(|e| format!("access_key_id: {e}"))?;
    }
    if let Some(ts) = &p.revoke_sessions_before {
        crate::validate::utc_timestamp(ts).map_err(|e| format!("revoke_sessions_before: {e}"))?;
    }
    Ok(())
}

/// The data-file key of a principal.
pub fn principal_key(kind: &str, name: &str) -> String {
    format!("{kind}/{name}")
}

/// Sorts CIDRs by address family and address, drops duplicates and entries covered by another entry.
pub fn normalise_cidrs(cidrs: impl IntoIterator<Item = IpNet>) -> Vec<String> {
    normalise_deny(cidrs.into_iter().map(|n| (n, String::new())))
        .into_iter()
        .map(|d| d.cidr)
        .collect()
}

/// The same for deny entries; of two entries for one CIDR the first keeps its reason, so an IP named
/// again by a later finding does not churn its line.
pub fn normalise_deny(entries: impl IntoIterator<Item = (IpNet, String)>) -> Vec<DenyEntry> {
    let mut nets: BTreeMap<IpNet, String> = BTreeMap::new();
    for (net, reason) in entries {
        nets.entry(net.trunc()).or_insert(reason);
    }
    let all: Vec<IpNet> = nets.keys().copied().collect();
    nets.into_iter()
        .filter(|(n, _)| !all.iter().any(|other| other != n && other.contains(n)))
        .map(|(n, reason)| DenyEntry {
            cidr: n.to_string(),
            reason,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_drops_covered() {
        let got = normalise_cidrs(
            [
                "10.0.0.0/24",
                "10.0.0.5/32",
                "2001:db8::1/128",
                "1.2.3.4/32",
                "1.2.3.4/32",
            ]
            .iter()
            .map(|s| s.parse().unwrap()),
        );
        assert_eq!(got, vec!["1.2.3.4/32", "10.0.0.0/24", "2001:db8::1/128"]);
    }
}
